// Replaced by the Templates issue's implementation.
package enum RenderCommand {
    package static func run(_ arguments: [String]) -> Int32 {
        printError("router render: not available yet in this build (its issue has not landed)")
        return 2
    }
}
