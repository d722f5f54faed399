import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { listZipEntries, readZipEntry, ZipFormatError } from '../../src/adapters/zip-entries.js'
import { craftZip, type CraftedEntry } from '../fixtures/artifact-jobs/crafted-zip.js'

const contentsOf = (zip: Buffer) =>
  listZipEntries(zip).map(entry => ({
    name: entry.name,
    text: readZipEntry(zip, entry).toString('utf8')
  }))

/** The message of the ZipFormatError `read` throws; fails the test if it throws none or another. */
function formatError(read: () => unknown): string {
  try {
    read()
  } catch (error) {
    expect(error).toBeInstanceOf(ZipFormatError)
    return (error as Error).message
  }
  throw new Error('expected a ZipFormatError, but nothing was thrown')
}

const readAll = (zip: Buffer) => () => listZipEntries(zip).map(entry => readZipEntry(zip, entry))

describe('listZipEntries and readZipEntry', () => {
  it('return the names exactly as stored, including unsafe ones, with their contents', () => {
    const entries: CraftedEntry[] = [
      { name: 'prompt.md', content: '# Fix #7\n', method: 'stored' },
      { name: '../record.json', content: '{"evil":true}' },
      { name: '/etc/cron.d/x', content: 'abs' },
      { name: 'C:\\windows\\x', content: 'drive' },
      { name: 'codex/caf\u00e9/\u00df.txt', content: 'unicode' },
      { name: 'nul\u0000byte', content: 'nul' }
    ]

    expect(contentsOf(craftZip(entries))).toEqual([
      { name: 'prompt.md', text: '# Fix #7\n' },
      { name: '../record.json', text: '{"evil":true}' },
      { name: '/etc/cron.d/x', text: 'abs' },
      { name: 'C:\\windows\\x', text: 'drive' },
      { name: 'codex/caf\u00e9/\u00df.txt', text: 'unicode' },
      { name: 'nul\u0000byte', text: 'nul' }
    ])
  })

  it('read sizes from the central directory when local headers defer them to data descriptors', () => {
    const big = randomBytes(200_000)
    const zip = craftZip(
      [
        { name: 'a.txt', content: 'alpha' },
        { name: 'bin/random.bin', content: big },
        { name: 'empty', content: '' }
      ],
      { dataDescriptors: true }
    )

    const entries = listZipEntries(zip)

    expect(entries.map(e => [e.name, e.size, e.method])).toEqual([
      ['a.txt', 5, 8],
      ['bin/random.bin', 200_000, 8],
      ['empty', 0, 8]
    ])
    expect(readZipEntry(zip, entries[1]!).equals(big)).toBe(true)
    expect(readZipEntry(zip, entries[2]!).length).toBe(0)
  })

  it('read ZIP64 end records and ZIP64 extra fields', () => {
    const zip = craftZip(
      [
        { name: 'one.txt', content: 'first' },
        { name: '../two.txt', content: 'second', method: 'stored' }
      ],
      { zip64: true, dataDescriptors: true }
    )

    expect(zip.readUInt32LE(zip.length - 22 + 16)).toBe(0xffffffff)
    expect(contentsOf(zip)).toEqual([
      { name: 'one.txt', text: 'first' },
      { name: '../two.txt', text: 'second' }
    ])
  })

  it('tell files, folders, links and special files apart by their Unix mode', () => {
    const zip = craftZip([
      { name: 'file', unixMode: 0o100644 },
      { name: 'folder/', unixMode: 0o040755 },
      { name: 'link', content: '/etc/passwd', unixMode: 0o120777 },
      { name: 'fifo', unixMode: 0o010644 },
      { name: 'dos', unixMode: null },
      { name: 'bare-permissions', unixMode: 0o644 }
    ])

    expect(listZipEntries(zip).map(e => [e.name, e.unixFileType])).toEqual([
      ['file', 'file'],
      ['folder/', 'directory'],
      ['link', 'symlink'],
      ['fifo', 'other'],
      ['dos', null],
      ['bare-permissions', null]
    ])
  })

  it('find the real end record behind a comment that imitates one', () => {
    const fakeEnd = Buffer.alloc(22)
    fakeEnd.writeUInt32LE(0x06054b50, 0)
    const zip = craftZip([{ name: 'real.txt', content: 'real' }], {
      comment: `note ${fakeEnd.toString('latin1')} end`
    })

    expect(contentsOf(zip)).toEqual([{ name: 'real.txt', text: 'real' }])
  })

  it('refuse what is not a zip, or is cut short', () => {
    const zip = craftZip([{ name: 'a.txt', content: 'alpha' }])

    expect(formatError(() => listZipEntries(Buffer.alloc(0)))).toMatch(/not a zip archive/)
    expect(formatError(() => listZipEntries(Buffer.from('{"plain":"json"}')))).toMatch(
      /not a zip archive/
    )
    expect(formatError(() => listZipEntries(zip.subarray(0, zip.length - 1)))).toMatch(
      /no end of central directory record/
    )
    expect(formatError(() => listZipEntries(zip.subarray(0, 10)))).toMatch(/not a zip archive/)
  })

  it('refuse an end record that lies about the central directory', () => {
    const zip = craftZip([{ name: 'a.txt', content: 'alpha' }])
    const end = zip.length - 22
    const moreEntries = Buffer.from(zip)
    moreEntries.writeUInt16LE(2, end + 10)
    const zip64Marker = Buffer.from(zip)
    zip64Marker.writeUInt32LE(0xffffffff, end + 16)
    const pastTheEnd = Buffer.from(zip)
    pastTheEnd.writeUInt32LE(zip.length, end + 16)
    const otherDisk = Buffer.from(zip)
    otherDisk.writeUInt16LE(1, end + 4)

    expect(formatError(() => listZipEntries(moreEntries))).toMatch(
      /^the central directory claims 2 entries but has only \d+ bytes$/
    )
    expect(formatError(() => listZipEntries(pastTheEnd))).toMatch(
      /^the central directory \(\d+ bytes at offset \d+\) lies beyond the archive's \d+ bytes$/
    )
    expect(formatError(() => listZipEntries(zip64Marker))).toMatch(
      /points to a ZIP64 record that is not there/
    )
    expect(formatError(() => listZipEntries(otherDisk))).toMatch(/split over several disks/)
  })

  it('refuse a name that is not UTF-8 and a local header naming another file', () => {
    const badName = craftZip([{ name: Uint8Array.from([0x61, 0xff, 0x62]) }])
    const twoNames = craftZip([{ name: 'record.json', localName: '../record.json' }])

    expect(formatError(() => listZipEntries(badName))).toBe(
      'central directory entry 1: its name is not valid UTF-8'
    )
    expect(formatError(readAll(twoNames))).toBe(
      'entry "record.json": its local header names it "../record.json"'
    )
  })

  it('refuse encrypted entries, unknown methods and data that does not match its header', () => {
    const cases: Array<[CraftedEntry, RegExp]> = [
      [{ name: 'secret', content: 'x', flags: 1 }, /^entry "secret" is encrypted$/],
      [
        { name: 'bzip', content: 'x', method: 'stored', declaredMethod: 12 },
        /uses compression method 12, not stored or deflate/
      ],
      [
        { name: 'crc', content: 'abc', declaredCrc32: 1 },
        /^entry "crc": its CRC-32 does not match$/
      ],
      [
        { name: 'short', content: 'abc', method: 'stored', declaredSize: 2 },
        /3 bytes instead of 2/
      ],
      [
        { name: 'bomb', content: Buffer.alloc(1_000_000), declaredSize: 10 },
        /its deflated data is damaged or larger than declared/
      ],
      [
        { name: 'garbage', content: Buffer.alloc(8, 0xff), method: 'stored', declaredMethod: 8 },
        /its deflated data is damaged/
      ]
    ]
    for (const [entry, message] of cases) {
      expect(formatError(readAll(craftZip([entry])))).toMatch(message)
    }
  })
})
