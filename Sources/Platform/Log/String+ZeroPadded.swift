extension String {
    /// `value` in decimal, zero-padded on the left to at least `width` characters, as `%0*d` prints it
    /// (`-5` to width 4 is `-005`).
    package init(_ value: Int, zeroPaddedTo width: Int) {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let padding = Swift.max(0, width - sign.count - digits.count)
        self = sign + String(repeating: "0", count: padding) + digits
    }
}
