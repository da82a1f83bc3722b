import Platform

/// `router`: dispatches to the subcommands of DESIGN.md's command line.
package enum RouterCommand {
    package static let usage = """
        usage: router <command> [flags]

        Routes http://<app>.<domain> to the live instances registered under /services/web/<app>/.

        commands:
          store    run the embedded key-value store (etcd v3 JSON gateway subset)
                     router store --listen 127.0.0.1:2379 --data-dir PATH
          sync     render confd templates from the store, check them and reload nginx
                     router sync --confdir DIR [--watch | --interval SECONDS | --onetime] [--noop] [--sync-only]
                                 [--store URL]... [--backend etcd|env|file] [--prefix P] [--wait MIN:MAX]
          proxy    route by itself with the built-in reverse proxy
                     router proxy --listen ADDR:PORT --domain DOMAIN [--prefix P] [--store URL]... [--workers N]
          render   render one template against keys from a JSON file and print it
                     router render TEMPLATE --kv FILE.json
          up       one machine: embedded store + proxy (or nginx)
                     router up [--listen 127.0.0.1:8080] [--store-listen 127.0.0.1:2379] [--domain localhost]
                               [--data-dir PATH] [--nginx]

        Run 'router <command> --help' for a command's flags.
        Exit status: 0 success, 1 runtime failure, 2 usage error.
        """

    /// Runs the command line; returns the process exit status.
    package static func main(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            printError(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "-h", "--help", "help":
            printOut(usage)
            return 0
        case "store": return await StoreCommand.run(rest)
        case "render": return await RenderCommand.run(rest)
        case "sync": return await SyncCommand.run(rest)
        case "proxy": return await ProxyCommand.run(rest)
        case "up": return await UpCommand.run(rest)
        default:
            printError(
                "router: unknown command '\(command)'; commands are store, sync, proxy, render, up (see 'router --help')"
            )
            return 2
        }
    }
}
