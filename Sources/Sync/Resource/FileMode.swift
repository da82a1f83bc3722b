import Formats

/// A resource's `mode`, read as confd reads it: Go's `strconv.ParseUint(mode, 0, 32)` ("0644" is
/// octal, "420" decimal, "0x1a4" hex), of which `chmod` uses the permission bits.
package enum FileMode {
    /// The permission bits (`0o777`), or nil when Go would refuse the text.
    package static func parse(_ text: String) -> UInt32? {
        guard let value = GoInteger.parseUnsigned(Substring(text)), value <= UInt64(UInt32.max) else { return nil }
        // Go's os.FileMode keeps setuid/setgid/sticky in its own high bits, so the octal 04000 of a
        // number like 04755 is not a permission bit to os.Chmod: only 0777 counts, as in confd.
        return UInt32(value) & 0o777
    }
}
