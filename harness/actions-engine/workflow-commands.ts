/**
 * What the runner reads from a step besides its exit code: the file commands (`GITHUB_OUTPUT`,
 * `GITHUB_ENV`, `GITHUB_STATE`, ...) and the workflow commands in its log (`::error::`,
 * `::group::`, `::add-mask::`, ...), parsed as the runner parses them.
 */

/** An annotation the action printed with `::error`, `::warning` or `::notice`. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
  file?: string
  line?: number
  endLine?: number
  col?: number
  endColumn?: number
}

/** A `::group::` in the log and the lines printed inside it. */
export interface LogGroup {
  title: string
  lines: string[]
}

/** The workflow commands of a log. */
export interface LogCommands {
  annotations: Annotation[]
  groups: LogGroup[]
  /** `::debug::` messages. */
  debug: string[]
  /** Values registered with `::add-mask::`. */
  masks: string[]
}

/**
 * Parses a file-command file (`GITHUB_OUTPUT`, `GITHUB_STATE`, `GITHUB_ENV`) as the runner does:
 * `name=value` lines and `name<<DELIMITER` blocks whose value is every line up to the delimiter.
 */
export function parseKeyValueFile(text: string, fileName: string): Record<string, string> {
  const lines = text.split(/\r?\n/)
  const values: Record<string, string> = {}
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals !== -1 && (heredoc === -1 || equals < heredoc)) {
      values[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc === -1) {
      throw new Error(
        `${fileName} line ${i + 1} is neither 'name=value' nor 'name<<DELIMITER': ${line}`
      )
    }
    const name = line.slice(0, heredoc)
    const delimiter = line.slice(heredoc + 2)
    const end = lines.indexOf(delimiter, i + 1)
    if (delimiter === '' || end === -1) {
      throw new Error(
        `${fileName}: the value of '${name}' is not closed by its delimiter '${delimiter}'.`
      )
    }
    values[name] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return values
}

/** Undoes `@actions/core`'s escaping of command data and, with `property`, of property values. */
export function unescapeCommandValue(value: string, property = false): string {
  const pattern = property ? /%(25|0D|0A|3A|2C)/gi : /%(25|0D|0A)/gi
  const decoded: Record<string, string> = {
    '25': '%',
    '0D': '\r',
    '0A': '\n',
    '3A': ':',
    '2C': ','
  }
  return value.replace(pattern, (_, code: string) => decoded[code.toUpperCase()] ?? '')
}

const ANNOTATION_LEVELS = new Set(['error', 'warning', 'notice'])

/**
 * Reads the workflow commands in a log (`::name key=value,...::message` lines): annotations,
 * groups with the lines logged inside them, debug messages and masks. Honours
 * `::stop-commands::<token>` up to `::<token>::`, as the runner does.
 */
export function parseWorkflowCommands(log: string): LogCommands {
  const result: LogCommands = {
    annotations: [],
    groups: [],
    debug: [],
    masks: []
  }
  let group: LogGroup | null = null
  let resumeToken: string | null = null
  for (const rawLine of log.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (resumeToken !== null) {
      if (line === `::${resumeToken}::`) resumeToken = null
      else group?.lines.push(rawLine)
      continue
    }
    const command = /^::([A-Za-z][\w-]*)(?: (.*?))?::(.*)$/.exec(line)
    if (!command) {
      group?.lines.push(rawLine)
      continue
    }
    const [, name = '', rawProperties = '', rawMessage = ''] = command
    const message = unescapeCommandValue(rawMessage)
    if (ANNOTATION_LEVELS.has(name)) {
      result.annotations.push(annotation(name as Annotation['level'], message, rawProperties))
    } else if (name === 'group') {
      group = { title: message, lines: [] }
      result.groups.push(group)
    } else if (name === 'endgroup') {
      group = null
    } else if (name === 'debug') {
      result.debug.push(message)
    } else if (name === 'add-mask') {
      result.masks.push(message)
    } else if (name === 'stop-commands') {
      resumeToken = message
    }
  }
  return result
}

function annotation(
  level: Annotation['level'],
  message: string,
  rawProperties: string
): Annotation {
  const found: Annotation = { level, message }
  for (const pair of rawProperties.split(',')) {
    const equals = pair.indexOf('=')
    if (equals === -1) continue
    const key = pair.slice(0, equals).trim()
    const value = unescapeCommandValue(pair.slice(equals + 1), true)
    if (key === 'title' || key === 'file') found[key] = value
    if (key === 'line' || key === 'endLine' || key === 'col' || key === 'endColumn') {
      found[key] = Number.parseInt(value, 10)
    }
  }
  return found
}
