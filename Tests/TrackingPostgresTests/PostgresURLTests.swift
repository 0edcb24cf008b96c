import Testing
import Tracking
import TrackingPostgres

/// `postgres://` URLs: what they name, what messages show of them (never the password), and
/// what is refused. No server needed.
struct PostgresURLTests {
  @Test func readsEveryPart() throws {
    let url = try PostgresURL(parsing: "postgres://track:s%40cret@db.lab:6543/runs?sslmode=require")
    #expect(url.user == "track")
    #expect(url.password == "s@cret")
    #expect(url.host == "db.lab")
    #expect(url.port == 6543)
    #expect(url.database == "runs")
    #expect(url.tls == .require)
    #expect(url.redacted == "postgres://track@db.lab:6543/runs?sslmode=require")
    let plain = try PostgresURL(parsing: "postgresql://me@localhost/track")
    #expect(plain.port == 5432)
    #expect(plain.password == nil)
    #expect(plain.tls == .disable)
    #expect(PostgresURL.isPostgres("POSTGRES://x@y/z"))
    #expect(!PostgresURL.isPostgres("runs/track.db"))
  }

  @Test func refusesWhatItCannotUseWithoutShowingThePassword() {
    for text in [
      "postgres://track:hunter2@/runs", "postgres://:hunter2@host/runs",
      "postgres://track:hunter2@host", "postgres://track:hunter2@host/runs?sslmode=sometimes",
      "postgres://track:hunter2@host/runs?search_path=x",
    ] {
      let error = #expect(throws: TrackingError.self) { try PostgresURL(parsing: text) }
      #expect(error?.code == .cannotOpen, "\(text)")
      #expect(error?.message.contains("hunter2") == false, "\(error?.message ?? "")")
      #expect(error?.message.contains("postgres://") == true)
    }
  }

  @Test func aRunsCommandLineKeepsNoPassword() {
    let request = RunRequest(
      command: "track run a.yaml --db postgres://track:hunter2@db:5432/runs --name x")
    #expect(request.command == "track run a.yaml --db postgres://track:***@db:5432/runs --name x")
    #expect(
      RunRequest.redactingURLPasswords("TRACK_DB=postgresql://u@h/d track runs")
        == "TRACK_DB=postgresql://u@h/d track runs")
  }
}
