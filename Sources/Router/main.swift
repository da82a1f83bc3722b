// placeholder; temporary wiring of `render` for manual testing (final wiring is done elsewhere)
import Foundation

let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == "render" {
    exit(RenderCommand.run(Array(arguments.dropFirst(2))))
}
print("router")
