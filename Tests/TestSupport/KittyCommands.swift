// Kitty graphics commands for tests: splits `ESC _G keys ; data ESC \` into its control keys (`a=T,i=3`)
// and its payload (base64 or empty), in order. An unterminated command ends the list.
public enum KittyCommands {
    public typealias Command = (keys: [String: String], data: String)

    public static func parse(_ text: String) -> [Command] {
        var out: [Command] = []
        var rest = Substring(text)
        while let start = rest.range(of: "\u{1B}_G") {
            guard let end = rest.range(of: "\u{1B}\\", range: start.upperBound..<rest.endIndex) else { break }
            let parts = rest[start.upperBound..<end.lowerBound].split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            var keys: [String: String] = [:]
            for kv in parts[0].split(separator: ",") {
                let p = kv.split(separator: "=", maxSplits: 1)
                if p.count == 2 { keys[String(p[0])] = String(p[1]) }
            }
            out.append((keys, parts.count > 1 ? String(parts[1]) : ""))
            rest = rest[end.upperBound...]
        }
        return out
    }
}
