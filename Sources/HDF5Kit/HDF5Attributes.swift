// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5

/// Attributes on groups and datasets (`"/"` is the root group). Setting one replaces any
/// attribute of that name, whatever its old type.
extension HDF5File {
    /// Sets a variable-length UTF-8 string attribute (h5py reads it as `str`).
    public func setAttribute(_ name: String, _ value: String, on objectPath: String = "/") throws {
        try withObject(objectPath, "set attribute \(name) on \(objectPath)") { object, operation in
            let type = try stringType(.variableLength, operation)
            let space = Handle(try check(H5Screate(H5S_SCALAR), path, operation), close: H5Sclose)
            let attribute = try replaceAttribute(name, on: object, type: type.id, space: space.id, operation)
            _ = try value.withCString { characters in
                var pointer: UnsafePointer<CChar>? = characters
                return try check(H5Awrite(attribute.id, type.id, &pointer), path, operation)
            }
        }
    }

    public func setAttribute(_ name: String, _ value: Int64, on objectPath: String = "/") throws {
        try setNumericAttribute(name, [value], scalar: true, on: objectPath)
    }

    public func setAttribute(_ name: String, _ value: Double, on objectPath: String = "/") throws {
        try setNumericAttribute(name, [value], scalar: true, on: objectPath)
    }

    public func setAttribute(_ name: String, _ value: [Double], on objectPath: String = "/") throws {
        try setNumericAttribute(name, value, scalar: false, on: objectPath)
    }

    public func setAttribute(_ name: String, _ value: [Int64], on objectPath: String = "/") throws {
        try setNumericAttribute(name, value, scalar: false, on: objectPath)
    }

    /// Sets a one-value numeric attribute of `T`'s type (e.g. SONATA's `uint32` magic).
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T, on objectPath: String = "/") throws {
        try setNumericAttribute(name, [value], scalar: true, on: objectPath)
    }

    /// Sets a 1-D numeric attribute of `T`'s type (e.g. SONATA's two `uint32` version numbers).
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], on objectPath: String = "/") throws {
        try setNumericAttribute(name, values, scalar: false, on: objectPath)
    }

    /// The stored element type of a numeric attribute; nil for strings and other types.
    public func attributeKind(_ name: String, on objectPath: String = "/") throws -> HDF5ScalarKind? {
        try withAttribute(name, on: objectPath) { attribute, operation in
            let type = Handle(try check(H5Aget_type(attribute), path, operation), close: H5Tclose)
            return scalarKind(of: type.id)
        }
    }

    /// A string attribute, variable- or fixed-length.
    public func stringAttribute(_ name: String, on objectPath: String = "/") throws -> String {
        try withAttribute(name, on: objectPath) { attribute, operation in
            let stored = Handle(try check(H5Aget_type(attribute), path, operation), close: H5Tclose)
            guard H5Tget_class(stored.id) == H5T_STRING else {
                throw HDF5Error(path: path, operation: operation, stack: ["not a string attribute"])
            }
            if try check(H5Tis_variable_str(stored.id), path, operation) > 0 {
                let type = try stringType(.variableLength, operation)
                var pointer: UnsafeMutablePointer<CChar>?
                try check(H5Aread(attribute, type.id, &pointer), path, operation)
                defer { H5free_memory(pointer) }
                return pointer.map { String(cString: $0) } ?? ""
            }
            let width = H5Tget_size(stored.id)
            let type = try stringType(.fixedLength(width), operation)
            var bytes = [UInt8](repeating: 0, count: width)
            try check(H5Aread(attribute, type.id, &bytes), path, operation)
            return decodeFixed(bytes[...])
        }
    }

    /// An integer attribute holding one value.
    public func intAttribute(_ name: String, on objectPath: String = "/") throws -> Int64 {
        try single(numericAttribute(name, on: objectPath, as: Int64.self), name, objectPath)
    }

    /// A floating-point attribute holding one value.
    public func doubleAttribute(_ name: String, on objectPath: String = "/") throws -> Double {
        try single(numericAttribute(name, on: objectPath, as: Double.self), name, objectPath)
    }

    /// A numeric attribute's values (a scalar gives one).
    public func doubleArrayAttribute(_ name: String, on objectPath: String = "/") throws -> [Double] {
        try numericAttribute(name, on: objectPath, as: Double.self)
    }

    /// An integer attribute's values (a scalar gives one).
    public func intArrayAttribute(_ name: String, on objectPath: String = "/") throws -> [Int64] {
        try numericAttribute(name, on: objectPath, as: Int64.self)
    }

    /// Whether the object at `objectPath` has an attribute called `name`.
    public func hasAttribute(_ name: String, on objectPath: String = "/") -> Bool {
        (try? withObject(objectPath, "check attribute \(name)") { object, _ in
            H5Aexists(object, name) > 0
        }) ?? false
    }

    private func setNumericAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], scalar: Bool, on objectPath: String) throws {
        try withObject(objectPath, "set attribute \(name) on \(objectPath)") { object, operation in
            let spaceID = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(values.count)], nil)
            let space = Handle(try check(spaceID, path, operation), close: H5Sclose)
            let attribute = try replaceAttribute(name, on: object, type: T.hdf5Kind.nativeType, space: space.id, operation)
            guard !values.isEmpty else { return }
            _ = try values.withUnsafeBytes { try check(H5Awrite(attribute.id, T.hdf5Kind.nativeType, $0.baseAddress), path, operation) }
        }
    }

    private func numericAttribute<T: HDF5Scalar>(_ name: String, on objectPath: String, as type: T.Type) throws -> [T] {
        try withAttribute(name, on: objectPath) { attribute, operation in
            let space = Handle(try check(H5Aget_space(attribute), path, operation), close: H5Sclose)
            let count = Int(try check(H5Sget_simple_extent_npoints(space.id), path, operation))
            return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    try check(H5Aread(attribute, T.hdf5Kind.nativeType, buffer.baseAddress), path, operation)
                }
                initialized = count
            }
        }
    }

    private func single<T>(_ values: [T], _ name: String, _ objectPath: String) throws -> T {
        guard values.count == 1, let value = values.first else {
            throw HDF5Error(path: path, operation: "read attribute \(name) on \(objectPath)", stack: ["it holds \(values.count) values, not 1"])
        }
        return value
    }

    private func replaceAttribute(_ name: String, on object: hid_t, type: hid_t, space: hid_t, _ operation: String) throws -> Handle {
        if try check(H5Aexists(object, name), path, operation) > 0 {
            try check(H5Adelete(object, name), path, operation)
        }
        return Handle(try check(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), path, operation), close: H5Aclose)
    }

    private func withObject<Result>(_ objectPath: String, _ operation: String, _ body: (hid_t, String) throws -> Result) throws -> Result {
        try withFile { file in
            let object = Handle(try check(H5Oopen(file, objectPath, H5P_DEFAULT), path, operation), close: H5Oclose)
            return try body(object.id, operation)
        }
    }

    private func withAttribute<Result>(_ name: String, on objectPath: String, _ body: (hid_t, String) throws -> Result) throws -> Result {
        try withObject(objectPath, "read attribute \(name) on \(objectPath)") { object, operation in
            let attribute = Handle(try check(H5Aopen(object, name, H5P_DEFAULT), path, operation), close: H5Aclose)
            return try body(attribute.id, operation)
        }
    }
}
