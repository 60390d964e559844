import Foundation

/// A complex number in Cartesian form: the values of Fourier transforms and analytic signals.
public struct Complex: Sendable, Equatable, Codable {
    /// The real part.
    public var re: Double
    /// The imaginary part.
    public var im: Double

    /// re + i·im.
    public init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }

    /// e^{iθ}: the unit phasor at angle θ (radians).
    public static func phasor(_ theta: Double) -> Complex { Complex(cos(theta), sin(theta)) }

    /// |z|.
    public var magnitude: Double { (re * re + im * im).squareRoot() }

    /// |z|², without the square root (power spectra need only this).
    public var squaredMagnitude: Double { re * re + im * im }

    /// arg z in (−π, π].
    public var phase: Double { atan2(im, re) }

    /// The complex conjugate.
    public var conjugate: Complex { Complex(re, -im) }

    /// The sum.
    public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    /// The difference.
    public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    /// The product.
    public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    /// The product with a real number.
    public static func * (a: Complex, s: Double) -> Complex { Complex(a.re * s, a.im * s) }
    /// Adds in place.
    public static func += (a: inout Complex, b: Complex) { a = a + b }
}
