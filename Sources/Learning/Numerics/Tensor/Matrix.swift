/// A row-major matrix of `Float`s in 64-byte-aligned storage.
///
/// A matrix owns room for `rowCapacity` rows; `rows` may shrink and grow within that room
/// without allocating, which is how batch workspaces serve a short last batch. A matrix can
/// also be a view into a `Vector` (a layer's weights inside the model's parameter buffer).
public final class Matrix {
  /// Rows currently in use.
  public private(set) var rows: Int
  /// Columns (the row stride).
  public let columns: Int
  /// Rows the storage has room for.
  public let rowCapacity: Int
  /// Element (r, c) lives at `pointer[r * columns + c]`.
  public let pointer: UnsafeMutablePointer<Float>
  private let owner: AnyObject?
  private let ownsStorage: Bool

  /// Creates a rows × columns matrix of zeros with room for `rowCapacity` rows.
  public init(rows: Int, columns: Int, rowCapacity: Int? = nil) {
    let capacity = max(rowCapacity ?? rows, rows)
    precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative")
    self.rows = rows
    self.columns = columns
    self.rowCapacity = capacity
    pointer = Vector.allocate(capacity * columns)
    pointer.initialize(repeating: 0, count: max(capacity * columns, 1))
    owner = nil
    ownsStorage = true
  }

  /// Creates a matrix holding `values` (row-major, rows × columns of them).
  public convenience init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns,
                 "Matrix(values:) needs \(rows * columns) values, got \(values.count)")
    self.init(rows: rows, columns: columns)
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  /// A view of `rows` × `columns` elements of `vector` starting at `offset`.
  public init(viewing vector: Vector, offset: Int, rows: Int, columns: Int) {
    precondition(offset >= 0 && offset + rows * columns <= vector.count,
                 "Matrix view out of the vector's bounds")
    self.rows = rows
    self.columns = columns
    self.rowCapacity = rows
    pointer = vector.pointer + offset
    owner = vector
    ownsStorage = false
  }

  deinit { if ownsStorage { pointer.deallocate() } }

  /// Number of elements in use (rows × columns).
  public var count: Int { rows * columns }

  /// Element at row `row`, column `column`; both must be in range (rows in use), checked in
  /// every build like an array subscript. Hot loops use `pointer` instead.
  @inlinable public subscript(row: Int, column: Int) -> Float {
    get {
      checkIndex(row, column)
      return pointer[row * columns + column]
    }
    set {
      checkIndex(row, column)
      pointer[row * columns + column] = newValue
    }
  }

  @usableFromInline func checkIndex(_ row: Int, _ column: Int) {
    precondition(0 <= row && row < rows && 0 <= column && column < columns,
                 "Matrix index (\(row), \(column)) is out of range for \(rows) × \(columns)")
  }

  /// Changes the number of rows in use, within `rowCapacity` (never allocates).
  public func setRows(_ newRows: Int) {
    precondition(newRows >= 0 && newRows <= rowCapacity,
                 "setRows(\(newRows)) exceeds the capacity of \(rowCapacity) rows")
    rows = newRows
  }

  /// The elements in use as a row-major array (allocates; not for the training loop).
  public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  /// Row `row` as an array (allocates); `row` must be in `0..<rows`.
  public func row(_ row: Int) -> [Float] {
    precondition(0 <= row && row < rows, "Matrix row \(row) is out of range for \(rows) rows")
    return Array(UnsafeBufferPointer(start: pointer + row * columns, count: columns))
  }

  /// Sets every element in use to `value`.
  public func fill(_ value: Float) {
    let p = pointer
    for i in 0..<count { p[i] = value }
  }

  /// Copies `rows` rows from `source` (row-major, `columns` per row) and sets `rows` (at most
  /// `rowCapacity`).
  public func copy(from source: UnsafePointer<Float>, rows newRows: Int) {
    setRows(newRows)
    pointer.update(from: source, count: newRows * columns)
  }

  /// self ← a · b (+ beta · self), a product on BLAS shared between `threads` threads;
  /// shapes must agree.
  public func multiply(
    _ a: Matrix, transposed transposeA: Bool = false,
    _ b: Matrix, transposed transposeB: Bool = false, beta: Float = 0, threads: Int = 1
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(k == kb && m == rows && n == columns,
                 "multiply: shapes (\(m)x\(k)) · (\(kb)x\(n)) -> (\(rows)x\(columns)) disagree")
    BLAS.gemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
      alpha: 1, a: a.pointer, lda: a.columns, b: b.pointer, ldb: b.columns,
      beta: beta, c: pointer, ldc: columns, threads: Workers.clamped(threads))
  }
}
