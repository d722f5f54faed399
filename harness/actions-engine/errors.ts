/**
 * The engine's errors. Anything a workflow asks for that the engine does not do is an
 * {@link UnsupportedConstruct}, raised before the construct would have mattered, so a test never
 * passes because something was silently skipped.
 */

/** Where in a workflow file something is. */
export interface WorkflowPlace {
  file: string
  line: number | undefined
}

function where(place: WorkflowPlace): string {
  return place.line === undefined ? place.file : `${place.file}:${place.line}`
}

/** A construct of a workflow or action file the engine does not run. */
export class UnsupportedConstruct extends Error {
  constructor(
    readonly place: WorkflowPlace,
    readonly construct: string,
    hint = ''
  ) {
    super(
      `${where(place)}: the Actions engine does not support ${construct}.${hint ? ` ${hint}` : ''}`
    )
    this.name = 'UnsupportedConstruct'
  }
}

/** A workflow file that GitHub would refuse to run (it does not parse, or breaks a rule). */
export class InvalidWorkflow extends Error {
  constructor(place: WorkflowPlace, problem: string) {
    super(`${where(place)}: ${problem}`)
    this.name = 'InvalidWorkflow'
  }
}
