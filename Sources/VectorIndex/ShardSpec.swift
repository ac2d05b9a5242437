// Which shard of a sharded index a file belongs to, decided by its content alone:
//
//   h     = first 8 bytes of the SHA-256 of the whole file, read big-endian (the cache's ContentHash)
//   shard = ⌊h · N / 2^64⌋ + 1                                  (1-based, 1 … N)
//
// so the answer is the same on every machine, for every file order and every mount point, copies of
// one file land in the same shard (embedded once), and a file keeps its shard while other files come
// and go (a re-run covers exactly what it covered before). SHA-256 is uniform, so each shard holds
// n/N files in expectation, with a standard deviation of about √(n/N) (1 % at 10,000 files per shard).
//
// I and N come from `--shard I/N`, else the scheduler's environment:
//   Kubernetes Indexed Job   I = JOB_COMPLETION_INDEX + 1, N from --shard-count
//   Slurm job array          I = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP + 1,
//                            N = SLURM_ARRAY_TASK_COUNT
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
    public let index: Int   // 1 … count
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 1, index <= count else { return nil }
        self.index = index; self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public struct Problem: Error, CustomStringConvertible { public var description: String }

    /// "I/N" with 1 ≤ I ≤ N.
    public static func parse(_ text: String) throws -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw Problem(description: "--shard \"\(text)\" is not I/N (two whole numbers, e.g. 3/8)")
        }
        guard let s = ShardSpec(index: i, count: n) else {
            throw Problem(description: "--shard \(text): I must be between 1 and N, and N at least 1 (shards are numbered 1…N)")
        }
        return s
    }

    /// The shard (1-based) of content with this hash among `count` shards.
    public static func shard(of hash: ContentHash, count: Int) -> Int {
        var h: UInt64 = 0
        for b in hash.bytes.prefix(8) { h = h << 8 | UInt64(b) }
        return Int(h.multipliedFullWidth(by: UInt64(count)).high) + 1
    }

    public func contains(_ hash: ContentHash) -> Bool { Self.shard(of: hash, count: count) == index }

    /// The shard a job scheduler assigned through the environment, with the variables it came from;
    /// nil when no scheduler variable is set. Set but unusable variables are a `Problem`.
    public static func fromEnvironment(_ env: [String: String], shardCount: Int?) throws -> (ShardSpec, String)? {
        func int(_ name: String) throws -> Int? {
            guard let v = env[name], !v.isEmpty else { return nil }
            guard let n = Int(v) else { throw Problem(description: "\(name)=\"\(v)\" is not a whole number") }
            return n
        }
        if let k = try int("JOB_COMPLETION_INDEX") {
            guard let n = shardCount else {
                throw Problem(description: "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): pass --shard-count N (the Job's completions) or --shard I/N")
            }
            guard let s = ShardSpec(index: k + 1, count: n) else {
                throw Problem(description: "JOB_COMPLETION_INDEX=\(k) does not fit --shard-count \(n) (shard \(k + 1) of \(n))")
            }
            return (s, "JOB_COMPLETION_INDEX=\(k), --shard-count \(n)")
        }
        if let id = try int("SLURM_ARRAY_TASK_ID") {
            guard let n = try shardCount ?? int("SLURM_ARRAY_TASK_COUNT") else {
                throw Problem(description: "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard I/N")
            }
            let lo = try int("SLURM_ARRAY_TASK_MIN") ?? 0, step = max(1, try int("SLURM_ARRAY_TASK_STEP") ?? 1)
            guard (id - lo) % step == 0, let s = ShardSpec(index: (id - lo) / step + 1, count: n) else {
                throw Problem(description: "SLURM_ARRAY_TASK_ID=\(id) with SLURM_ARRAY_TASK_MIN=\(lo), step \(step) is not one of \(n) array tasks; "
                              + "use a contiguous --array (e.g. 0-\(n - 1)) or pass --shard I/N")
            }
            return (s, "SLURM_ARRAY_TASK_ID=\(id), SLURM_ARRAY_TASK_MIN=\(lo), SLURM_ARRAY_TASK_COUNT=\(n)")
        }
        return nil
    }
}
