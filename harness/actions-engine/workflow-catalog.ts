/**
 * The workflow files of a repository at a commit (`.github/workflows/*.yml`), read once per
 * commit. A file GitHub's parser refuses, or one using what the engine does not run, fails the
 * lookup loudly: on GitHub it would not run, and a test must not quietly run without it.
 */
import type { EngineForge } from './engine-forge.js'
import { checkSubscriptions } from './triggers.js'
import { loadWorkflow, type WorkflowModel } from './workflow.js'

const WORKFLOWS_DIR = '.github/workflows'

/** Workflows by commit. */
export class WorkflowCatalog {
  private readonly byCommit = new Map<string, Promise<WorkflowModel[]>>()

  constructor(
    private readonly forge: EngineForge,
    private readonly repo: string
  ) {}

  /** The workflows of `commit`. */
  at(commit: string): Promise<WorkflowModel[]> {
    let loaded = this.byCommit.get(commit)
    if (loaded === undefined) {
      loaded = this.load(commit)
      this.byCommit.set(commit, loaded)
    }
    return loaded
  }

  private async load(commit: string): Promise<WorkflowModel[]> {
    const names = await this.forge.listDirectory(this.repo, commit, WORKFLOWS_DIR)
    const workflows: WorkflowModel[] = []
    for (const name of names.filter(file => /\.ya?ml$/.test(file)).sort()) {
      const path = `${WORKFLOWS_DIR}/${name}`
      const content = await this.forge.readFile(this.repo, commit, path)
      if (content === null) continue
      const workflow = await loadWorkflow(path, content)
      checkSubscriptions(workflow)
      workflows.push(workflow)
    }
    return workflows
  }
}
