/// The bounds that keep a hostile template or store value from crashing the renderer or exhausting
/// its memory. Go has some of these (100,000 template calls, 10,000 JSON levels, a million for `printf`
/// widths given with `*`) and otherwise lets a program die; a router must not, so each bound here
/// ends the render with one clear error instead. Each is far above what a real configuration needs.
package enum TemplateLimits {
    /// Nested `if`/`with`/`range`/`else if`, parentheses and `define` bodies in one template's text.
    /// The parser recurses once per level, so it counts them; Go 1.19 has no limit.
    package static let parseNesting = 100
    /// Template calls (`template`, `block`) may nest this deep (Go: 100,000).
    package static let callDepth = 100
    /// Nesting while rendering: template calls plus the control structures and parentheses inside them.
    /// Bounds the executor's recursion, which the two limits above only bound as a product.
    package static let executionNesting = 1000
    /// Lists and maps inside one value (`map` refuses to nest deeper; JSON stops at `GoJSON.maximumDepth`).
    /// Printing, comparing and freeing a value recurse once per level.
    package static let valueNesting = 128
    /// Bytes of output one render may write (the tutorial's 10,000-key nginx config is about 1 MB).
    package static let outputBytes = 256 << 20
    /// Bytes of strings that functions may produce in one render, counted as they return.
    package static let producedBytes = 1 << 30
    /// Items `seq` may return (Go allocates whatever it is asked for, and dies).
    package static let seqItems = 1_000_000
    /// Iterations of all `range` loops in one render: a nest of loops that writes nothing ends too.
    package static let rangeIterations = 100_000_000
}
