// Preallocated activation buffers (llama2.c's RunState) are Kernels.ScratchBuffer: grown to the largest
// batch seen, then reused by every forward, so steady-state embedding allocates nothing per layer.

/// Named intermediate tensors for layer-by-layer comparisons: (name, values, shape), e.g.
/// ("text.layer.3", […], [B, S, d]). Names: text.embed, text.layer.N, text.pooled, vision.embed,
/// vision.block.N, vision.norm.
public typealias Trace = (_ name: String, _ values: [Float], _ shape: [Int]) -> Void
