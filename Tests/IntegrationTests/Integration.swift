import Testing

/// Every integration suite, run one test at a time. Each blocks a thread of Swift's cooperative
/// pool (one per core) while its processes run; two at once on a 2-core machine would starve every
/// async test in the process, and time limits and deadlines measured there would be wrong.
@Suite(.serialized) enum Integration {}
