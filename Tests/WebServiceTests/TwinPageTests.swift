import DTBTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Services
import Testing
import Twins

/// The twin page of a fitted twin: h(t) of the fit with its ensemble band, and each validation
/// marked fitted (on the run the version was fitted to) or out of sample.
@Suite(.serialized) struct TwinPageTests {
    @Test(.requires(.atlasMirror)) func aFittedTwinShowsItsHyperparametersAndMarksItsValidations() async throws {
        let (database, seed) = try await SeededDatabase.make()
        // A quick fit of version 1 to the rest run (version 3), validated on that same run.
        var fit = TwinAssimilationRequest(version: TwinReference(twin: seededTwin, version: 1), measure: seed.boldMeasure, threads: 2)
        fit.members = 4
        fit.observation = .raw
        fit.warmupSeconds = 2
        fit.units = ["A8m_L", "A8m_R", "cLinG_L"]
        let fitted = try TwinService(database: database).assimilate(fit, progress: { _ in })
        _ = try TwinService(database: database).validate(TwinValidationRequest(version: TwinReference(twin: seededTwin, version: fitted.version),
                                                                               measure: seed.boldMeasure, threads: 2), progress: { _ in })
        let series = try TwinService(database: database).hyperparameters(TwinReference(twin: seededTwin, version: fitted.version))
        // What the fit stored: a frame per TR of the 12-frame run, one column per fitted unit, spreads ≥ 0.
        #expect(series.version == fitted.version && series.units == fit.units && series.kinds == ["ext"])
        #expect(series.mean.count == 12 && series.mean.allSatisfy { $0.count == 3 } && series.spread.allSatisfy { $0.allSatisfy { $0 >= 0 } })
        // The history's summary of the fit, read out of the stored settings by the database.
        let summary = try #require(try TwinService(database: database).history(seededTwin).versions.first { $0.version == fitted.version }?.assimilation)
        #expect(summary.measure == seed.boldMeasure && summary.frames == 12 && summary.framesDone == 12 && summary.members == 4)
        #expect(summary.fittedUnits == 3 && summary.hyperparameters == ["ext"] && summary.observation == "raw" && summary.warmStart == nil)
        #expect(summary.fitBoldR != nil && summary.fitTrackingR != nil)
        #expect(throws: TwinError.self) { try TwinService(database: database).hyperparameters(TwinReference(twin: seededTwin, version: 1)) }

        let harness = try ServiceHarness(database: database, open: true)
        try await harness.test { client in
            let page = String(decoding: Data(try await client.execute(uri: "/twins/\(seededTwin)", method: .get).body.readableBytesView), as: UTF8.self)
            #expect(page.contains("Hyperparameters h(t)") && page.contains("h(t) ext, version \(fitted.version): ensemble mean ± spread"))
            // One band and one line per drawn unit, in the h(t) chart.
            #expect(page.components(separatedBy: #"class="band""#).count - 1 == 3)
            #expect(page.contains("A8m_L") && page.contains("h ext"))
            // Version 1's validation is out of sample; version 3's, on the run it was fitted to, is the fitted run.
            let rows = page.components(separatedBy: #"<table id="validations">"#).last?.components(separatedBy: "</table>").first ?? ""
            #expect(rows.components(separatedBy: "<td>fitted run</td>").count - 1 == 1)
            #expect(rows.components(separatedBy: "<td>out of sample</td>").count - 1 == 1)
        }
    }
}
