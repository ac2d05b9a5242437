// The streaming frame SHA-1 and SHA-256 share (FIPS 180-4 §5.1, §6): input is cut into 64-byte blocks
// (an incomplete one waits in `pending`), the message is padded with 0x80, zeros and its 64-bit
// big-endian bit length, and the digest is the state words written big-endian. Each hash supplies
// only its state and its block function.
public protocol BlockHash {
    /// The chaining state (5 words for SHA-1, 8 for SHA-256).
    var h: [UInt32] { get }
    /// Bytes of an incomplete block, waiting for more input (always < 64).
    var pending: [UInt8] { get set }
    /// Total message length in bytes.
    var byteCount: UInt64 { get set }
    /// Runs the block function over `count` whole 64-byte blocks.
    mutating func compress(blocks: UnsafeRawPointer, count: Int)
}

extension BlockHash {
    public mutating func absorb(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0, let base = buffer.baseAddress else { return }
        byteCount &+= UInt64(buffer.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            if pending.count < 64 { return }
            do {    // a copy: `compress` mutates self while the block is read
                let block = pending
                block.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
            }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = (buffer.count - offset) / 64
        if whole > 0 {
            compress(blocks: base + offset, count: whole)
            offset += whole * 64
        }
        if offset < buffer.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: buffer.count - offset))
        }
    }

    /// The digest of everything absorbed so far; `self` is left unchanged (more input may follow).
    public func digest() -> [UInt8] {
        var copy = self
        let bitLength = byteCount &* 8
        var tail: [UInt8] = [0x80]
        tail.append(contentsOf: [UInt8](repeating: 0, count: (64 + 56 - (Int(byteCount % 64) + 1)) % 64))
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { copy.absorb($0) }
        var out: [UInt8] = []
        out.reserveCapacity(4 * h.count)
        for word in copy.h { for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) } }
        return out
    }
}
