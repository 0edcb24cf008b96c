import Learning
import Tracking

extension ExperimentSpec {
  /// The spec's params as a run records them: a value that reads as a number is a number,
  /// except a list (`ExperimentSpec.listParams`), which is always text.
  ///
  /// ```swift
  /// spec.model.hidden = [256]
  /// spec.runParams["model.hidden"]  // .text("256"), as [256, 256] gives .text("256,256")
  /// spec.runParams["optimizer.lr"]  // .number(0.1)
  /// ```
  public var runParams: [String: ParamValue] {
    var params: [String: ParamValue] = [:]
    for (key, text) in flattenedParams {
      let isList = ExperimentSpec.listParams.contains(key)
      params[key] = isList ? .text(text) : ParamValue(parsing: text)
    }
    return params
  }
}
