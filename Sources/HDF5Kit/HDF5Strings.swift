// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5
import Foundation

/// How a string dataset stores its strings.
public enum HDF5StringLayout: Sendable, Equatable {
    /// Each string its own length (h5py's default for `str`).
    case variableLength
    /// Every string padded with NULs to `width` bytes of UTF-8 (NumPy `S` arrays).
    case fixedLength(Int)
}

/// 1-D string datasets, e.g. SONATA's population and type names.
extension HDF5File {
    /// Creates the 1-D dataset `datasetPath` holding `strings` as UTF-8.
    ///
    /// - Parameter layout: variable-length by default; fixed-length uses the longest string's width
    ///   when given a width of 0 or less, and throws for a string that does not fit.
    public func writeStrings(_ datasetPath: String, _ strings: [String], layout: HDF5StringLayout = .variableLength) throws {
        let operation = "write strings \(datasetPath)"
        try withFile { file in
            let creation = try objectCreation(H5P_CLS_DATASET_CREATE_ID_g, operation)
            try createParents(of: datasetPath, in: file)
            let resolved = try resolve(layout, for: strings, operation)
            let type = try stringType(resolved, operation)
            let space = Handle(try check(H5Screate_simple(1, [hsize_t(strings.count)], nil), path, operation), close: H5Sclose)
            let dataset = Handle(
                try check(H5Dcreate2(file, datasetPath, type.id, space.id, H5P_DEFAULT, creation.id, H5P_DEFAULT), path, operation),
                close: H5Dclose)
            guard !strings.isEmpty else { return }
            try writeStringData(strings, layout: resolved, dataset: dataset.id, type: type.id, operation)
        }
    }

    /// Reads a 1-D string dataset (variable- or fixed-length).
    public func readStrings(_ datasetPath: String) throws -> [String] {
        let operation = "read strings \(datasetPath)"
        return try withFile { file in
            let dataset = Handle(try check(H5Dopen2(file, datasetPath, H5P_DEFAULT), path, operation), close: H5Dclose)
            let stored = Handle(try check(H5Dget_type(dataset.id), path, operation), close: H5Tclose)
            guard H5Tget_class(stored.id) == H5T_STRING else {
                throw HDF5Error(path: path, operation: operation, stack: ["not a string dataset"])
            }
            let space = Handle(try check(H5Dget_space(dataset.id), path, operation), close: H5Sclose)
            let count = Int(try check(H5Sget_simple_extent_npoints(space.id), path, operation))
            guard count > 0 else { return [] }
            if try check(H5Tis_variable_str(stored.id), path, operation) > 0 {
                return try readVariableStrings(dataset.id, space: space.id, count: count, operation)
            }
            return try readFixedStrings(dataset.id, width: H5Tget_size(stored.id), count: count, operation)
        }
    }

    /// A UTF-8 string type of `layout`.
    func stringType(_ layout: HDF5StringLayout, _ operation: String) throws -> Handle {
        let type = Handle(try check(H5Tcopy(H5T_C_S1_g), path, operation), close: H5Tclose)
        switch layout {
        case .variableLength:
            // H5T_VARIABLE is (size_t)-1; size_t imports as Int.
            try check(H5Tset_size(type.id, -1), path, operation)
        case .fixedLength(let width):
            try check(H5Tset_size(type.id, max(width, 1)), path, operation)
            try check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), path, operation)
        }
        try check(H5Tset_cset(type.id, H5T_CSET_UTF8), path, operation)
        return type
    }

    private func resolve(_ layout: HDF5StringLayout, for strings: [String], _ operation: String) throws -> HDF5StringLayout {
        guard case .fixedLength(let width) = layout else { return layout }
        let longest = strings.map(\.utf8.count).max() ?? 0
        guard width > 0 else { return .fixedLength(max(longest, 1)) }
        guard longest <= width else {
            throw HDF5Error(path: path, operation: operation, stack: ["a string of \(longest) bytes does not fit width \(width)"])
        }
        return layout
    }

    private func writeStringData(_ strings: [String], layout: HDF5StringLayout, dataset: hid_t, type: hid_t, _ operation: String) throws {
        switch layout {
        case .variableLength:
            let pointers = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            try check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers), path, operation)
        case .fixedLength(let width):
            var bytes = [UInt8](repeating: 0, count: strings.count * width)
            for (index, string) in strings.enumerated() {
                bytes.replaceSubrange((index * width)..<(index * width + string.utf8.count), with: string.utf8)
            }
            try check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes), path, operation)
        }
    }

    private func readVariableStrings(_ dataset: hid_t, space: hid_t, count: Int, _ operation: String) throws -> [String] {
        let type = try stringType(.variableLength, operation)
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try check(H5Dread(dataset, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointers), path, operation)
        // HDF5 allocated each string; it frees them too.
        defer { H5Dvlen_reclaim(type.id, space, H5P_DEFAULT, &pointers) }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    private func readFixedStrings(_ dataset: hid_t, width: Int, count: Int, _ operation: String) throws -> [String] {
        let type = try stringType(.fixedLength(width), operation)
        var bytes = [UInt8](repeating: 0, count: count * width)
        try check(H5Dread(dataset, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &bytes), path, operation)
        return (0..<count).map { decodeFixed(bytes[($0 * width)..<($0 * width + width)]) }
    }
}

/// A fixed-width string read through a NUL-padded memory type: up to the first NUL. (HDF5's
/// conversion has already turned space or NUL-terminated padding into NULs.)
func decodeFixed(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}
