/**
 * A small reader for zip archives held in memory: the entries of the central directory (names as
 * stored, never rewritten) and the bytes of one entry (stored or deflated, CRC-checked). It trusts
 * nothing in the archive: every offset and length is bounds-checked and every inconsistency is an
 * error, so a caller can refuse a tampered archive before anything is written anywhere.
 */
import { crc32, inflateRawSync } from 'node:zlib'

/** Thrown when the bytes are not a zip this reader can read, saying where and why. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError'
}

/** What the zip's Unix mode bits (when it was made on Unix) say an entry is. */
export type ZipUnixFileType = 'file' | 'directory' | 'symlink' | 'other'

/** One entry of the central directory. */
export interface ZipEntry {
  /** The name exactly as stored, decoded as UTF-8; a trailing '/' marks a directory. */
  name: string
  /** 0 (stored) or 8 (deflated) can be read; other methods are listed but not read. */
  method: number
  /** General purpose flags; bit 0 means encrypted. */
  flags: number
  crc32: number
  compressedSize: number
  /** Uncompressed size. */
  size: number
  localHeaderOffset: number
  /** From the Unix mode bits, or null when the zip was not made on Unix or sets no type. */
  unixFileType: ZipUnixFileType | null
}

const EOCD_SIGNATURE = 0x06054b50
const EOCD_SIZE = 22
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_LOCATOR_SIZE = 20
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const ZIP64_EOCD_SIZE = 56
const CENTRAL_SIGNATURE = 0x02014b50
const CENTRAL_HEADER_SIZE = 46
const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_HEADER_SIZE = 30
const ZIP64_EXTRA_ID = 0x0001
const MAX_COMMENT = 0xffff
const UNIX_HOST = 3
const ENCRYPTED_FLAG = 0x0001

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Lists the entries of the zip's central directory, in their stored order. ZIP64 archives are
 * read (the ZIP64 end record and the ZIP64 extra field of each entry); split archives are refused.
 * @throws ZipFormatError when the archive is malformed, truncated or inconsistent.
 */
export function listZipEntries(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const end = findEndOfCentralDirectory(view)
  const directory = centralDirectoryOf(view, end)
  const entries: ZipEntry[] = []
  let offset = directory.offset
  const limit = directory.offset + directory.size
  for (let index = 0; index < directory.count; index++) {
    const entry = readCentralEntry(zip, view, offset, limit, index)
    entries.push(entry.entry)
    offset = entry.next
  }
  if (offset !== limit) {
    throw new ZipFormatError(
      `the central directory holds ${limit - offset} bytes beyond its ${directory.count} entries`
    )
  }
  return entries
}

/**
 * The uncompressed bytes of `entry` (listed from the same `zip`), checked against its size and
 * CRC-32. The local header must name the entry exactly as the central directory does.
 * @throws ZipFormatError when the entry is encrypted, uses another method, or its data is damaged.
 */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry): Buffer {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const at = entry.localHeaderOffset
  const where = `entry ${JSON.stringify(entry.name)}`
  need(view, at, LOCAL_HEADER_SIZE, `the local header of ${where}`)
  if (view.getUint32(at, true) !== LOCAL_SIGNATURE) {
    throw new ZipFormatError(`${where}: no local header at offset ${at}`)
  }
  const nameLength = view.getUint16(at + 26, true)
  const extraLength = view.getUint16(at + 28, true)
  need(view, at + LOCAL_HEADER_SIZE, nameLength + extraLength, `the local header of ${where}`)
  const localName = zip.subarray(at + LOCAL_HEADER_SIZE, at + LOCAL_HEADER_SIZE + nameLength)
  if (!Buffer.from(localName).equals(Buffer.from(entry.name, 'utf8'))) {
    throw new ZipFormatError(
      `${where}: its local header names it ${JSON.stringify(Buffer.from(localName).toString('utf8'))}`
    )
  }
  if (entry.flags & ENCRYPTED_FLAG) throw new ZipFormatError(`${where} is encrypted`)
  const start = at + LOCAL_HEADER_SIZE + nameLength + extraLength
  need(view, start, entry.compressedSize, `the data of ${where}`)
  const data = zip.subarray(start, start + entry.compressedSize)
  const content = decompress(data, entry, where)
  if (content.length !== entry.size) {
    throw new ZipFormatError(`${where}: ${content.length} bytes instead of ${entry.size}`)
  }
  if (crc32(content) !== entry.crc32)
    throw new ZipFormatError(`${where}: its CRC-32 does not match`)
  return content
}

function decompress(data: Uint8Array, entry: ZipEntry, where: string): Buffer {
  if (entry.method === 0) return Buffer.from(data)
  if (entry.method !== 8) {
    throw new ZipFormatError(
      `${where} uses compression method ${entry.method}, not stored or deflate`
    )
  }
  try {
    // The declared size bounds the output, so a small entry cannot inflate without limit.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) })
  } catch (error) {
    throw new ZipFormatError(`${where}: its deflated data is damaged or larger than declared`, {
      cause: error
    })
  }
}

interface EndRecord {
  at: number
  count: number
  size: number
  offset: number
  disk: number
  directoryDisk: number
}

/** The last end record whose comment reaches exactly the end of the archive. */
function findEndOfCentralDirectory(view: DataView): EndRecord {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - MAX_COMMENT)
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) !== EOCD_SIGNATURE) continue
    if (at + EOCD_SIZE + view.getUint16(at + 20, true) !== view.byteLength) continue
    return {
      at,
      disk: view.getUint16(at + 4, true),
      directoryDisk: view.getUint16(at + 6, true),
      count: view.getUint16(at + 10, true),
      size: view.getUint32(at + 12, true),
      offset: view.getUint32(at + 16, true)
    }
  }
  throw new ZipFormatError('no end of central directory record: this is not a zip archive')
}

/** Where the central directory is and how many entries it holds, from the ZIP64 record if any. */
function centralDirectoryOf(
  view: DataView,
  end: EndRecord
): { count: number; size: number; offset: number } {
  const locatorAt = end.at - ZIP64_LOCATOR_SIZE
  const hasLocator = locatorAt >= 0 && view.getUint32(locatorAt, true) === ZIP64_LOCATOR_SIGNATURE
  const splitArchive = new ZipFormatError(
    'the archive is split over several disks, which is not supported'
  )
  if (!hasLocator) {
    if (end.count === 0xffff || end.size === 0xffffffff || end.offset === 0xffffffff) {
      throw new ZipFormatError('the end record points to a ZIP64 record that is not there')
    }
    if (end.disk !== 0 || end.directoryDisk !== 0) throw splitArchive
    return checkedDirectory(view, { count: end.count, size: end.size, offset: end.offset })
  }
  const recordAt = uint64(view, locatorAt + 8, 'the ZIP64 end record offset')
  need(view, recordAt, ZIP64_EOCD_SIZE, 'the ZIP64 end of central directory record')
  if (view.getUint32(recordAt, true) !== ZIP64_EOCD_SIGNATURE) {
    throw new ZipFormatError(`no ZIP64 end of central directory record at offset ${recordAt}`)
  }
  const disks = [
    view.getUint32(locatorAt + 4, true),
    view.getUint32(recordAt + 16, true),
    view.getUint32(recordAt + 20, true)
  ]
  // The classic fields may hold 0xffff when a ZIP64 archive has them overflow; the disk count is 1.
  if (
    disks.some(disk => disk !== 0) ||
    [end.disk, end.directoryDisk].some(disk => disk !== 0 && disk !== 0xffff) ||
    view.getUint32(locatorAt + 16, true) > 1
  ) {
    throw splitArchive
  }
  return checkedDirectory(view, {
    count: uint64(view, recordAt + 32, 'the ZIP64 entry count'),
    size: uint64(view, recordAt + 40, 'the ZIP64 central directory size'),
    offset: uint64(view, recordAt + 48, 'the ZIP64 central directory offset')
  })
}

function checkedDirectory(
  view: DataView,
  directory: { count: number; size: number; offset: number }
): { count: number; size: number; offset: number } {
  need(view, directory.offset, directory.size, 'the central directory')
  if (directory.count * CENTRAL_HEADER_SIZE > directory.size) {
    throw new ZipFormatError(
      `the central directory claims ${directory.count} entries but has only ${directory.size} bytes`
    )
  }
  return directory
}

function readCentralEntry(
  zip: Uint8Array,
  view: DataView,
  at: number,
  limit: number,
  index: number
): { entry: ZipEntry; next: number } {
  const where = `central directory entry ${index + 1}`
  if (at + CENTRAL_HEADER_SIZE > limit || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
    throw new ZipFormatError(`${where}: no central directory header at offset ${at}`)
  }
  const nameLength = view.getUint16(at + 28, true)
  const extraLength = view.getUint16(at + 30, true)
  const commentLength = view.getUint16(at + 32, true)
  const next = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength
  if (next > limit) throw new ZipFormatError(`${where} runs past the central directory`)
  const nameStart = at + CENTRAL_HEADER_SIZE
  const name = decodeName(zip.subarray(nameStart, nameStart + nameLength), where)
  const sizes = {
    compressedSize: view.getUint32(at + 20, true),
    size: view.getUint32(at + 24, true),
    localHeaderOffset: view.getUint32(at + 42, true)
  }
  const extraStart = nameStart + nameLength
  const zip64 = zip64Fields(view, extraStart, extraStart + extraLength, sizes, where)
  if (view.getUint16(at + 34, true) !== 0 && view.getUint16(at + 34, true) !== 0xffff) {
    throw new ZipFormatError(`${where} starts on another disk, which is not supported`)
  }
  const madeOn = view.getUint16(at + 4, true) >> 8
  return {
    entry: {
      name,
      method: view.getUint16(at + 10, true),
      flags: view.getUint16(at + 8, true),
      crc32: view.getUint32(at + 16, true),
      ...zip64,
      unixFileType:
        madeOn === UNIX_HOST ? unixFileTypeOf(view.getUint32(at + 38, true) >>> 16) : null
    },
    next
  }
}

function decodeName(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes)
  } catch (error) {
    throw new ZipFormatError(`${where}: its name is not valid UTF-8`, { cause: error })
  }
}

/**
 * The sizes and offset of an entry, replacing each 0xffffffff by the next 8-byte value of its
 * ZIP64 extra field (uncompressed size, compressed size, then local header offset).
 */
function zip64Fields(
  view: DataView,
  start: number,
  end: number,
  sizes: Pick<ZipEntry, 'compressedSize' | 'size' | 'localHeaderOffset'>,
  where: string
): Pick<ZipEntry, 'compressedSize' | 'size' | 'localHeaderOffset'> {
  const wanted = (['size', 'compressedSize', 'localHeaderOffset'] as const).filter(
    field => sizes[field] === 0xffffffff
  )
  if (wanted.length === 0) return sizes
  for (let at = start; at + 4 <= end;) {
    const id = view.getUint16(at, true)
    const length = view.getUint16(at + 2, true)
    if (at + 4 + length > end) break
    if (id === ZIP64_EXTRA_ID) {
      if (length < wanted.length * 8) {
        throw new ZipFormatError(`${where}: its ZIP64 extra field is too short`)
      }
      const result = { ...sizes }
      wanted.forEach((field, i) => {
        result[field] = uint64(view, at + 4 + i * 8, `${where}: a ZIP64 size`)
      })
      return result
    }
    at += 4 + length
  }
  throw new ZipFormatError(`${where}: it needs a ZIP64 extra field and has none`)
}

function unixFileTypeOf(mode: number): ZipUnixFileType | null {
  switch (mode & 0o170000) {
    case 0:
      return null
    case 0o100000:
      return 'file'
    case 0o040000:
      return 'directory'
    case 0o120000:
      return 'symlink'
    default:
      return 'other'
  }
}

function uint64(view: DataView, at: number, what: string): number {
  need(view, at, 8, what)
  const value = view.getBigUint64(at, true)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipFormatError(`${what} (${value}) is beyond any archive this reader can hold`)
  }
  return Number(value)
}

/** Throws unless `length` bytes from `at` lie inside the archive. */
function need(view: DataView, at: number, length: number, what: string): void {
  if (at < 0 || length < 0 || at + length > view.byteLength) {
    throw new ZipFormatError(
      `${what} (${length} bytes at offset ${at}) lies beyond the archive's ${view.byteLength} bytes`
    )
  }
}
