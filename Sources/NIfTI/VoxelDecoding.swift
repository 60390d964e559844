/// The `scl_slope`/`scl_inter` rule: scale when the slope is finite and non-zero (libnifti and
/// nibabel both treat 0, and nibabel NaN, as "unscaled").
struct Scaling {
    var slope: Double
    var inter: Double

    init(_ header: NIfTIHeader) {
        let scaled = header.sclSlope != 0 && header.sclSlope.isFinite
        slope = scaled ? header.sclSlope : 1
        inter = scaled ? header.sclInter : 0
    }

    var isIdentity: Bool { slope == 1 && inter == 0 }
}

/// Calls `body(index, value)` for every voxel in `raw` (native byte order), scaled, in file order.
func forEachScaledVoxel(
    in raw: UnsafeRawBufferPointer, datatype: NIfTIDataType, scaling: Scaling,
    _ body: (Int, Double) throws -> Void
) rethrows {
    switch datatype {
    case .uint8: try forEach(raw, UInt8.self, scaling, { Double($0) }, body)
    case .int8: try forEach(raw, Int8.self, scaling, { Double($0) }, body)
    case .int16: try forEach(raw, Int16.self, scaling, { Double($0) }, body)
    case .uint16: try forEach(raw, UInt16.self, scaling, { Double($0) }, body)
    case .int32: try forEach(raw, Int32.self, scaling, { Double($0) }, body)
    case .uint32: try forEach(raw, UInt32.self, scaling, { Double($0) }, body)
    case .int64: try forEach(raw, Int64.self, scaling, { Double($0) }, body)
    case .uint64: try forEach(raw, UInt64.self, scaling, { Double($0) }, body)
    case .float32: try forEach(raw, Float.self, scaling, { Double($0) }, body)
    case .float64: try forEach(raw, Double.self, scaling, { $0 }, body)
    }
}

@inline(__always)
private func forEach<T>(
    _ raw: UnsafeRawBufferPointer, _ type: T.Type, _ scaling: Scaling,
    _ toDouble: (T) -> Double, _ body: (Int, Double) throws -> Void
) rethrows {
    let stride = MemoryLayout<T>.stride
    let count = raw.count / stride
    if scaling.isIdentity {
        for index in 0..<count {
            try body(index, toDouble(raw.loadUnaligned(fromByteOffset: index * stride, as: T.self)))
        }
    } else {
        for index in 0..<count {
            let stored = toDouble(raw.loadUnaligned(fromByteOffset: index * stride, as: T.self))
            try body(index, stored * scaling.slope + scaling.inter)
        }
    }
}

/// Decodes `raw` into `output` as scaled `Float`s, resizing `output` to the voxel count.
func decodeFloats(_ raw: UnsafeRawBufferPointer, datatype: NIfTIDataType, scaling: Scaling, into output: inout [Float]) {
    let count = raw.count / datatype.byteCount
    if output.count != count { output = [Float](repeating: 0, count: count) }
    output.withUnsafeMutableBufferPointer { out in
        forEachScaledVoxel(in: raw, datatype: datatype, scaling: scaling) { out[$0] = Float($1) }
    }
}
