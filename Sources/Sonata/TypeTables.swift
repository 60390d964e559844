import Foundation
import SpikingEngine
import TwinBuilder

/// node_types.csv and edge_types.csv in SONATA's CSV dialect (space-separated, fields with spaces
/// quoted with ", UNIX line ends): what every node of a type and every edge of a type share.
struct TypeTables {
    let twin: TwinNetwork
    let record: TwinRecord

    /// One row per twin population: its unit, E/I, size and in-degree, and the point-neuron
    /// model with the population's own receptor conductances and the background current.
    var nodeTypes: String {
        let p = twin.parameters, model = p.model, channels = model.channels.map(\.name)
        var header = ["node_type_id", "population", "model_type", "model_template", "unit", "unit_name", "unit_kind",
                      "pop_name", "ei", "size", "first_node_id", "in_degree",
                      "C_m", "g_L", "E_L", "V_th", "V_reset", "t_ref"]
        header += channels.map { "g_\($0)" } + channels.map { "tau_\($0)" } + channels.map { "E_\($0)" }
        if p.background != nil { header += ["I_bg_tau", "I_bg_mean", "I_bg_sigma"] }
        let membrane = [model.capacitance, model.leakConductance, model.leakReversal, model.threshold, model.reset, model.refractoryPeriod]
        let conductances = twin.populationConductances
        let rows = twin.populations.enumerated().map { index, pop in
            var row = ["\(index)", record.nodePopulation, "point_neuron", "dtb:\(model.name)", "\(pop.unit)",
                       twin.unitNames[pop.unit], twin.unitKinds[pop.unit].rawValue, pop.name, pop.excitatory ? "e" : "i",
                       "\(pop.size)", "\(pop.firstNeuron)", "\(pop.inDegree)"]
            row += (membrane + conductances[index] + model.channels.map(\.tau) + model.channels.map(\.reversal)).map { "\($0)" }
            if let b = p.background { row += [b.tau, b.mean, b.sigma].map { "\($0)" } }
            return row
        }
        return Self.table(header, rows)
    }

    /// One row per synapse group: the receptors the packed weight's low and high bytes drive,
    /// what a full-scale (255) byte adds on each, and the delay (ms).
    var edgeTypes: String {
        let channels = twin.parameters.model.channels.map(\.name)
        let header = ["edge_type_id", "population", "name", "receptor_low_byte", "full_scale_low_byte",
                      "receptor_high_byte", "full_scale_high_byte", "delay"]
        let rows = twin.groups.enumerated().map { index, group in
            let high = group.channels.count > 1
            return ["\(index)", record.edgePopulation, group.name, channels[group.channels[0]], "\(group.fullScale[0])",
                    high ? channels[group.channels[1]] : "NULL", high ? "\(group.fullScale[1])" : "NULL", "\(group.delay)"]
        }
        return Self.table(header, rows)
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: " ") + "\n" }.joined()
    }

    /// A field in the dialect: ASCII (the engine's group names use an arrow), quoted when it holds
    /// a space or quote or is empty, quotes doubled.
    private static func field(_ text: String) -> String {
        let ascii = text.replacingOccurrences(of: "→", with: "->")
        guard ascii.isEmpty || ascii.contains(where: { $0 == " " || $0 == "\"" || $0 == "\t" }) else { return ascii }
        return "\"" + ascii.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
