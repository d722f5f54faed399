import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { ArtifactFile } from '../../src/ports.js'
import {
  ActionsArtifacts,
  DirectoryArtifacts,
  artifactNameProblem,
  artifactPathProblem,
  readArtifactDirectory,
  type ArtifactServiceClient
} from '../../src/adapters/artifacts.js'
import { craftZip, type CraftedEntry } from '../fixtures/artifact-jobs/crafted-zip.js'

let scratch: string
let counter = 0

async function freshDir(label: string): Promise<string> {
  counter += 1
  const dir = join(scratch, `${label}-${counter}`)
  await mkdir(dir, { recursive: true })
  return dir
}

const text = (files: ArtifactFile[]) =>
  files.map(file => ({ path: file.path, text: Buffer.from(file.content).toString('utf8') }))

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'waves-artifacts-test-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

describe('artifactPathProblem', () => {
  it.each([
    ['../x', /'\.\.' segment/],
    ['/etc/passwd', /absolute/],
    ['a/../../b', /'\.\.' segment/],
    ['a\\b', /backslash/],
    ['C:x', /':'/],
    ['', /empty/],
    ['a\u0000b', /control character/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['./a', /'\.' segment/],
    ['a\nb', /control character/],
    ['what?.md', /'\?'/],
    ['a|b', /'\|'/]
  ])('refuses %j', (path, reason) => {
    expect(artifactPathProblem(path)).toMatch(reason)
  })

  it.each(['events.jsonl', 'codex/prompt.md', 'a/b/c.d.json', '..hidden', 'a..b/c', 'ünïcode.txt'])(
    'accepts %j',
    path => {
      expect(artifactPathProblem(path)).toBeNull()
    }
  )

  it('refuses a slash in an artifact name but accepts a plain name', () => {
    expect(artifactNameProblem('a/b')).toMatch(/slash/)
    expect(artifactNameProblem('..')).toMatch(/'\.\.' segment/)
    expect(artifactNameProblem('waves-review-12-1')).toBeNull()
  })
})

describe('DirectoryArtifacts', () => {
  it('round-trips text and binary files, sorted by path', async () => {
    const root = await freshDir('store')
    const store = new DirectoryArtifacts(root)
    const bytes = new Uint8Array([0, 255, 10, 13])

    const ref = await store.upload('waves-review-12-1', [
      { path: 'verdict.json', content: '{"verdict":"approved"}' },
      { path: 'codex/events.jsonl', content: '{"type":"x"}\n' },
      { path: 'codex/raw.bin', content: bytes }
    ])
    const files = await store.download('waves-review-12-1')

    expect(ref.name).toBe('waves-review-12-1')
    expect(Number.isSafeInteger(ref.id) && ref.id > 0).toBe(true)
    expect(ref.runId).toBeUndefined()
    expect(files.map(file => file.path)).toEqual([
      'codex/events.jsonl',
      'codex/raw.bin',
      'verdict.json'
    ])
    expect(Buffer.from(files[1]!.content)).toEqual(Buffer.from(bytes))
    expect(await readFile(join(root, 'waves-review-12-1', 'verdict.json'), 'utf8')).toBe(
      '{"verdict":"approved"}'
    )
  })

  it('refuses to upload a name twice and says how to resolve it', async () => {
    const store = new DirectoryArtifacts(await freshDir('store'))
    await store.upload('once', [{ path: 'a.txt', content: 'first' }])

    await expect(store.upload('once', [{ path: 'a.txt', content: 'second' }])).rejects.toThrow(
      /'once' already exists .*immutable.*new name/
    )
    expect(text(await store.download('once'))).toEqual([{ path: 'a.txt', text: 'first' }])
  })

  it.each(['../escape', '/abs', 'a\\b', '', 'a/b', 'x\u0000'])(
    'refuses the artifact name %j',
    async name => {
      const root = await freshDir('store')
      const store = new DirectoryArtifacts(join(root, 'inner'))

      await expect(store.upload(name, [{ path: 'f', content: 'x' }])).rejects.toThrow(
        /Artifact name .* is refused/
      )
      await expect(store.download(name)).rejects.toThrow(/Artifact name .* is refused/)
      expect(await readdir(root)).toEqual([])
    }
  )

  it.each(['../escape.txt', '/etc/passwd', 'a/../../b', 'a\\b', 'C:x', ''])(
    'refuses the file path %j and leaves no artifact behind',
    async path => {
      const root = await freshDir('store')
      const store = new DirectoryArtifacts(join(root, 'inner'))

      await expect(
        store.upload('bad', [
          { path: 'fine.txt', content: 'ok' },
          { path, content: 'x' }
        ])
      ).rejects.toThrow(/file path .* is refused/)
      expect(await readdir(join(root, 'inner'))).toEqual([])
      expect(existsSync(join(root, 'escape.txt'))).toBe(false)
    }
  )

  it('refuses duplicate paths and a path that is also a folder', async () => {
    const store = new DirectoryArtifacts(await freshDir('store'))

    await expect(
      store.upload('dup', [
        { path: 'a', content: '1' },
        { path: 'a', content: '2' }
      ])
    ).rejects.toThrow(/given twice/)
    await expect(
      store.upload('clash', [
        { path: 'a/b', content: '1' },
        { path: 'a', content: '2' }
      ])
    ).rejects.toThrow(/'a' is both a file and the folder of 'a\/b'/)
    await expect(store.upload('none', [])).rejects.toThrow(/no files to upload/)
  })

  it('keeps artifacts per run and downloads another run by its id', async () => {
    const root = await freshDir('runs')
    const first = new DirectoryArtifacts(root, { runId: 101 })
    const second = new DirectoryArtifacts(root, { runId: 102 })

    const ref = await first.upload('waves-dispatch-3-1', [
      { path: 'plan.json', content: '{"a":1}' }
    ])
    await second.upload('waves-dispatch-3-1', [{ path: 'plan.json', content: '{"a":2}' }])

    expect(ref.runId).toBe(101)
    expect(existsSync(join(root, '101', 'waves-dispatch-3-1', 'plan.json'))).toBe(true)
    expect(text(await second.download('waves-dispatch-3-1', { runId: 101 }))).toEqual([
      { path: 'plan.json', text: '{"a":1}' }
    ])
    expect(text(await second.download('waves-dispatch-3-1'))).toEqual([
      { path: 'plan.json', text: '{"a":2}' }
    ])
    await expect(second.download('waves-dispatch-3-1', { runId: 999 })).rejects.toThrow(
      /not found .*\(run 999\)/
    )
  })

  it('refuses a download by run id from a store without runs', async () => {
    const store = new DirectoryArtifacts(await freshDir('store'))

    await expect(store.download('x', { runId: 5 })).rejects.toThrow(/created without a run id/)
  })

  it('names the artifacts present when the one asked for is missing', async () => {
    const store = new DirectoryArtifacts(await freshDir('store'))
    await store.upload('present-one', [{ path: 'f', content: 'x' }])

    await expect(store.download('absent')).rejects.toThrow(
      /'absent' not found .*Artifacts there: present-one/
    )
  })

  it('refuses a planted symbolic link that points outside the artifact', async () => {
    const root = await freshDir('store')
    const secret = join(root, 'secret.txt')
    await writeFile(secret, 'token=abc')
    const store = new DirectoryArtifacts(join(root, 'store'))
    await store.upload('linked', [{ path: 'ok.txt', content: 'ok' }])
    await symlink(secret, join(root, 'store', 'linked', 'stolen.txt'))

    await expect(store.download('linked')).rejects.toThrow(
      /'stolen.txt' is refused: .*symbolic link/
    )
  })
})

describe('readArtifactDirectory', () => {
  it('refuses a linked folder, a backslash in a name and a FIFO; reads a clean tree', async () => {
    const outside = await freshDir('outside')
    await writeFile(join(outside, 'x'), 'x')
    const linkedFolder = await freshDir('tree')
    await symlink(outside, join(linkedFolder, 'dir'))
    const badName = await freshDir('tree')
    await writeFile(join(badName, 'a\\b'), 'x')
    const fifo = await freshDir('tree')
    execFileSync('mkfifo', [join(fifo, 'pipe')])
    const clean = await freshDir('tree')
    await mkdir(join(clean, 'd'))
    await writeFile(join(clean, 'd', 'f.txt'), 'fine')

    await expect(readArtifactDirectory('t', linkedFolder)).rejects.toThrow(/'dir' .*symbolic link/)
    await expect(readArtifactDirectory('t', badName)).rejects.toThrow(/backslash/)
    await expect(readArtifactDirectory('t', fifo)).rejects.toThrow(/'pipe' .*not a regular file/)
    expect(text(await readArtifactDirectory('t', clean))).toEqual([
      { path: 'd/f.txt', text: 'fine' }
    ])
  })
})

/** An in-process stand-in for the artifact service client, recording what it was asked. */
class RecordingArtifactClient implements ArtifactServiceClient {
  readonly calls: Array<{ call: string; args: unknown[] }> = []
  uploaded: Array<{ path: string; text: string }> = []
  plant: (folder: string) => Promise<void> = async () => {}

  async uploadArtifact(name: string, files: string[], rootDirectory: string, options?: object) {
    this.calls.push({ call: 'upload', args: [name, files, rootDirectory, options] })
    this.uploaded = await Promise.all(
      files.map(async file => ({
        path: file.slice(rootDirectory.length + 1),
        text: await readFile(file, 'utf8')
      }))
    )
    return { id: 4242, size: 1 }
  }

  async getArtifact(name: string, options?: object) {
    this.calls.push({ call: 'get', args: [name, options] })
    if (name === 'missing') throw new Error('Artifact not found for name: missing')
    return { artifact: { name, id: 77, size: 1, digest: 'sha256:abc' } }
  }

  async downloadArtifact(id: number, options?: { path?: string }) {
    this.calls.push({ call: 'download', args: [id, options] })
    await this.plant(options!.path!)
    return { downloadPath: options!.path!, digestMismatch: false }
  }
}

describe('ActionsArtifacts (with a recording client)', () => {
  const base = { token: 'read-token', owner: 'octo', repo: 'demo' }

  it('uploads from a fresh folder under the temp root and removes it afterwards', async () => {
    const tempRoot = await freshDir('runner-temp')
    const client = new RecordingArtifactClient()
    const artifacts = new ActionsArtifacts({
      ...base,
      runId: 9,
      retentionDays: 5,
      tempRoot,
      client
    })

    const ref = await artifacts.upload('waves-correct-4-2', [
      { path: 'prompt.md', content: 'fix it' },
      { path: 'codex/events.jsonl', content: '{}' }
    ])

    expect(ref).toEqual({ name: 'waves-correct-4-2', id: 4242, runId: 9 })
    const [upload] = client.calls
    const [name, , rootDirectory, options] = upload!.args as [string, string[], string, object]
    expect(name).toBe('waves-correct-4-2')
    expect(rootDirectory.startsWith(join(tempRoot, 'waves-upload-'))).toBe(true)
    expect(options).toEqual({ retentionDays: 5 })
    expect(client.uploaded).toEqual([
      { path: 'prompt.md', text: 'fix it' },
      { path: 'codex/events.jsonl', text: '{}' }
    ])
    expect(await readdir(tempRoot)).toEqual([])
  })

  it("finds another run's artifact with the token, checks its digest and returns its files", async () => {
    const tempRoot = await freshDir('runner-temp')
    const client = new RecordingArtifactClient()
    client.plant = folder =>
      writeFile(
        join(folder, 'waves-review-4-1.zip'),
        craftZip([
          { name: 'codex/', unixMode: 0o040755 },
          { name: 'codex/events.jsonl', content: '{"type":"done"}' },
          { name: 'b.md', content: 'b', method: 'stored' }
        ])
      )
    const artifacts = new ActionsArtifacts({ ...base, tempRoot, client })

    const files = await artifacts.download('waves-review-4-1', { runId: 555 })

    const findBy = {
      token: 'read-token',
      repositoryOwner: 'octo',
      repositoryName: 'demo',
      workflowRunId: 555
    }
    expect(client.calls[0]).toEqual({ call: 'get', args: ['waves-review-4-1', { findBy }] })
    expect(client.calls[1]?.args[0]).toBe(77)
    expect(client.calls[1]?.args[1]).toMatchObject({
      findBy,
      expectedHash: 'sha256:abc',
      skipDecompress: true
    })
    expect(text(files)).toEqual([
      { path: 'b.md', text: 'b' },
      { path: 'codex/events.jsonl', text: '{"type":"done"}' }
    ])
    expect(await readdir(tempRoot)).toEqual([])
  })

  it('downloads from the current run without findBy', async () => {
    const client = new RecordingArtifactClient()
    client.plant = folder => writeFile(join(folder, 'artifact'), craftZip([{ name: 'f' }]))
    const artifacts = new ActionsArtifacts({ ...base, tempRoot: await freshDir('t'), client })

    await artifacts.download('mine')

    expect(client.calls[0]).toEqual({ call: 'get', args: ['mine', {}] })
  })

  it('refuses an artifact holding a path that escapes it, naming the artifact and the path', async () => {
    const tempRoot = await freshDir('runner-temp')
    const client = new RecordingArtifactClient()
    client.plant = folder =>
      writeFile(
        join(folder, 'waves-dispatch-g7-1.zip'),
        craftZip([
          { name: 'prompt.md', content: 'fine' },
          { name: '../record.json', content: '{}' }
        ])
      )
    const artifacts = new ActionsArtifacts({ ...base, tempRoot, client })

    await expect(artifacts.download('waves-dispatch-g7-1', { runId: 12 })).rejects.toThrow(
      new Error(
        "Artifact 'waves-dispatch-g7-1' of run 12 holds the path '../record.json', which escapes the artifact. It was not extracted; the artifact may have been tampered with."
      )
    )
    expect(await readdir(tempRoot)).toEqual([])
    expect(existsSync(join(tempRoot, '..', 'record.json'))).toBe(false)
  })

  it('refuses every unsafe name, link, special file, clash and damage, extracting nothing', async () => {
    const cases: Array<[CraftedEntry[], string]> = [
      [[{ name: '/etc/cron.d/x' }], "holds the path '/etc/cron.d/x', which escapes the artifact"],
      [[{ name: 'C:/x' }], "holds the path 'C:/x', which escapes the artifact"],
      [[{ name: 'a/../../x' }], "holds the path 'a/../../x', which escapes the artifact"],
      [[{ name: '../', unixMode: 0o040755 }], "holds the path '../', which escapes the artifact"],
      [[{ name: '..\\x' }], "holds the path '..\\x', which is refused: it contains a backslash"],
      [
        [{ name: 'a\u0000b' }],
        'holds the path "a\\u0000b", which is refused: it contains a control character (NUL, newline, ...)'
      ],
      [[{ name: 'a/./b' }], "holds the path 'a/./b', which is refused: it has a '.' segment"],
      [
        [{ name: 'passwd', content: '/etc/passwd', unixMode: 0o120777 }],
        "holds 'passwd', which is a symbolic link"
      ],
      [
        [{ name: 'fifo', unixMode: 0o010644 }],
        "holds 'fifo', which is a special file (a device, FIFO or socket)"
      ],
      [
        [{ name: 'dir/', content: 'x', unixMode: 0o040755 }],
        "holds 'dir/', which is a folder with content"
      ],
      [[{ name: 'a' }, { name: 'a' }], "holds the path 'a' twice"],
      [
        [{ name: 'big', content: 'x', declaredSize: 0x7fffffff }],
        'would unpack to 2147483647 bytes, more than the 1073741824 allowed'
      ],
      [[{ name: 'a' }, { name: 'a/b' }], "holds 'a' both as a file and as the folder of 'a/b'"],
      [
        [{ name: 'a', content: 'abc', declaredCrc32: 7 }],
        'is a damaged zip: entry "a": its CRC-32 does not match'
      ]
    ]
    for (const [entries, why] of cases) {
      const tempRoot = await freshDir('runner-temp')
      const client = new RecordingArtifactClient()
      client.plant = folder => writeFile(join(folder, 'x.zip'), craftZip(entries))
      const artifacts = new ActionsArtifacts({ ...base, tempRoot, client })

      await expect(artifacts.download('evil', { runId: 1 })).rejects.toThrow(
        new Error(
          `Artifact 'evil' of run 1 ${why}. It was not extracted; the artifact may have been tampered with.`
        )
      )
      expect(await readdir(tempRoot)).toEqual([])
    }
  })

  it('refuses a download that is not a zip, or left no file', async () => {
    const client = new RecordingArtifactClient()
    const artifacts = new ActionsArtifacts({ ...base, tempRoot: await freshDir('t'), client })

    client.plant = folder => writeFile(join(folder, 'record.json'), '{"plain":true}')
    await expect(artifacts.download('raw')).rejects.toThrow(
      "Artifact 'raw' of this run is not a zip that can be read: no end of central directory record: this is not a zip archive. It was not extracted"
    )
    client.plant = async () => {}
    await expect(artifacts.download('raw')).rejects.toThrow(
      /^Artifact 'raw' of this run: the download left nothing in .* instead of one zip file\./
    )
  })

  it('explains a missing artifact of another run', async () => {
    const artifacts = new ActionsArtifacts({
      ...base,
      tempRoot: await freshDir('t'),
      client: new RecordingArtifactClient()
    })

    await expect(artifacts.download('missing', { runId: 3 })).rejects.toThrow(
      /'missing' of run 3 could not be found: .*actions: read/
    )
  })

  it('refuses a temp root inside the workspace', async () => {
    const workspace = await freshDir('workspace')
    const artifacts = new ActionsArtifacts({
      ...base,
      workspace,
      tempRoot: join(workspace, 'tmp'),
      client: new RecordingArtifactClient()
    })

    await expect(artifacts.download('x', { runId: 1 })).rejects.toThrow(/inside the workspace/)
  })
})
