import Foundation

ErrorReporter.runMain()
