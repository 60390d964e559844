import ArgumentParser
import Services

extension APIRole: ExpressibleByArgument {}

/// `dtb token create|list|revoke`: the API tokens of `dtb serve`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens for dtb serve.",
        subcommands: [Create.self, List.self, Revoke.self])

    /// `dtb token create --role read|write|admin [--name N] [--expires 30d|never] [--json]`
    ///
    /// JSON: `{"id", "name", "role", "state", "created_at", "expires_at"?, "token"}`. The secret
    /// (`token`) is printed this once; only its SHA-256 is stored.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token; its secret is shown once.")
        @Option(help: "read (GET only), write (also queue work) or admin.") var role: APIRole
        @Option(help: "What the token is for.") var name = "api"
        @Option(help: "Lifetime: 30d, 12h, 90m, 45s, or never.") var expires = "90d"
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let lifetime = try TokenLifetime.seconds(parsing: expires)
                let created = try TokenService(database: Console.openDatabase()).create(name: name, role: role, lifetime: lifetime)
                if output.json { return try Console.printJSON(created) }
                Console.print(created.token)
                Console.progress("token \(created.info.id) (\(created.info.role.rawValue)) expires \(created.info.expiresAt ?? "never"); "
                                 + "the secret above is not shown again")
            }
        }
    }

    /// `dtb token list [--json]`: JSON `[{"id", "name", "role", "state", "created_at", "expires_at"?, "revoked_at"?}]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let tokens = try TokenService(database: Console.openDatabase()).list()
                if output.json { return try Console.printJSON(tokens) }
                if tokens.isEmpty { Console.print("no tokens") }
                for t in tokens {
                    Console.print("\(t.id)  \(t.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(t.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                                  + "\(t.name)  created \(t.createdAt)  expires \(t.expiresAt ?? "never")" + (t.revokedAt.map { "  revoked \($0)" } ?? ""))
                }
            }
        }
    }

    /// `dtb token revoke ID [--json]`: JSON the revoked token's record.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a token for good.")
        @Argument(help: "The token's id (dtb token list).") var id: Int
        @OptionGroup var output: OutputOptions

        func run() throws {
            try Console.run {
                let token = try TokenService(database: Console.openDatabase()).revoke(id: id)
                if output.json { return try Console.printJSON(token) }
                Console.print("token \(token.id) revoked at \(token.revokedAt ?? "?")")
            }
        }
    }
}
