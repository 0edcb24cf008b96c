import Experiments
import Foundation

ErrorReporter.runMain()
