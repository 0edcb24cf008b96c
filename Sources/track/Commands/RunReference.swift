import Experiments
import ArgumentParser

/// The help text of a RUN argument.
enum RunArgumentHelp {
  static let text = ArgumentHelp(
    "A run: id, name, UUID prefix, `latest` or `latest~N`.", valueName: "run")
}
