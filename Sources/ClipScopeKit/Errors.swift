// The error types ClipScopeKit's calls throw, re-exported under the names the libraries below give them,
// so an app can catch them with `import ClipScopeKit` alone. Every one describes itself (file and problem):
//   ClipModelError      invalid input to the encoder (dims out of range, malformed pixel buffer)
//   ModelConfigError    a config.json that is not a supported jina-clip-v2 configuration
//   SafeTensorsError    a weights file that cannot be read, or lacks or mis-shapes a tensor
//   ImageError          an image file that cannot be read or decoded
//   TokenizerError      a tokenizer.json that cannot be read or is not supported
//   ModelHubError       a model id not found on this machine (lists where it looked)
//   VectorIndexError    a vector or key the index refuses (width, NaN, duplicate key, dims)
// Only these declarations are re-exported, not the rest of their modules.
@_exported import enum ClipModel.ClipModelError
@_exported import struct ClipModel.ModelConfigError
@_exported import struct Imaging.ImageError
@_exported import enum ModelHub.ModelHubError
@_exported import struct SafeTensors.SafeTensorsError
@_exported import struct Tokenizer.TokenizerError
@_exported import enum VectorIndex.VectorIndexError
