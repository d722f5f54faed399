/**
 * GitHub refuses a push from an App or job token without the `workflows` permission when it adds,
 * changes or deletes a file under `.github/workflows/`. The forge does the same with a
 * `pre-receive` hook that git runs only for such pushes (through `core.hooksPath`), because only
 * git itself can see what the pushed commits change.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** GitHub's refusal, as the hook prints it for the first workflow file a push touches. */
export function workflowRefusal(path: string): string {
  return `refusing to allow a GitHub App to create or update workflow \`${path}\` without \`workflows\` permission`
}

// For an existing branch the push changes what old..new differ in; for a new branch it brings the
// commits no ref reaches yet. A deletion changes no file.
const HOOK = `#!/bin/sh
while read -r old new ref; do
  case "$new" in *[!0]*) ;; *) continue ;; esac
  case "$old" in
    *[!0]*) files=$(git diff --name-only "$old" "$new" -- .github/workflows) ;;
    *) files=$(git log --format= --name-only "$new" --not --all -- .github/workflows) ;;
  esac
  file=$(printf '%s\\n' "$files" | grep -m 1 .)
  if [ -n "$file" ]; then
    printf '${workflowRefusal('%s')}\\n' "$file" >&2
    exit 1
  fi
done
exit 0
`

/** Writes the hook into `dir`/hooks; returns the hooks directory. */
export async function installWorkflowGuard(dir: string): Promise<string> {
  const hooks = join(dir, 'hooks')
  await mkdir(hooks, { recursive: true })
  const path = join(hooks, 'pre-receive')
  await writeFile(path, HOOK)
  await chmod(path, 0o755)
  return hooks
}

/** The environment that makes git run the guard for one push. */
export function workflowGuardEnv(hooksDir: string): NodeJS.ProcessEnv {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.hooksPath',
    GIT_CONFIG_VALUE_0: hooksDir
  }
}
