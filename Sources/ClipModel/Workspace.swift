// Preallocated activation buffers (llama2.c's RunState): grown to the largest batch seen, then
// reused by every forward, so steady-state embedding allocates nothing per layer.

/// A growable Float buffer owned by a workspace.
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        capacity = 0
        pointer = .allocate(capacity: 1)
    }

    deinit { pointer.deallocate() }

    /// Ensures room for `count` floats (contents are not preserved when growing) and returns the pointer.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
        }
        return pointer
    }

    /// A copy of the first `count` values (for traces and outputs).
    func array(_ count: Int) -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Named intermediate tensors for layer-by-layer comparisons: (name, values, shape), e.g.
/// ("text.layer.3", […], [B, S, d]). Names: text.embed, text.layer.N, text.pooled, vision.embed,
/// vision.block.N, vision.norm.
public typealias Trace = (_ name: String, _ values: [Float], _ shape: [Int]) -> Void
