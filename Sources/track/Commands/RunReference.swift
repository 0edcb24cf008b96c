import Experiments
import ArgumentParser

/// The help text of a RUN argument.
enum RunArgumentHelp {
  static let text = ArgumentHelp(
    "A run: id, name (its newest run; NAME~N the one N before), UUID prefix, `latest` or `latest~N`.",
    valueName: "run")
}
