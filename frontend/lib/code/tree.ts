/** The flat file list the API returns, as folders and files for the tree view, and the checks
 * a new file name gets before it is sent, and which file opens first. */

export interface TreeFile {
  path: string;
  version: string;
  size: number;
}

export interface TreeFolder {
  name: string;
  path: string;
  folders: TreeFolder[];
  files: (TreeFile & { name: string })[];
}

export function buildTree(files: readonly TreeFile[]): TreeFolder {
  const root: TreeFolder = { name: "", path: "", folders: [], files: [] };
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = file.path.split("/");
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      const path = folder.path ? `${folder.path}/${part}` : part;
      let next = folder.folders.find((f) => f.name === part);
      if (!next) {
        next = { name: part, path, folders: [], files: [] };
        folder.folders.push(next);
      }
      folder = next;
    }
    folder.files.push({ ...file, name: parts[parts.length - 1] });
  }
  return root;
}

/** Why `path` cannot name a new file, or null (the API checks again and has the last word). */
export function pathProblem(path: string, existing: readonly string[]): string | null {
  const trimmed = path.trim();
  if (!trimmed) return "Enter a file name.";
  if (trimmed.startsWith("/") || trimmed.split("/").some((part) => part === "" || part === "." || part === ".."))
    return "Use a relative path like helpers.py or lib/tools.py.";
  if (existing.includes(trimmed)) return `${trimmed} already exists.`;
  return null;
}

/** The editor language for a file name. */
export function languageOf(path: string): string {
  if (path.endsWith(".py")) return "python";
  return "plaintext";
}

/** The file the editor opens first: the entrypoint when there is one. */
export function defaultPath(tree: { files: readonly TreeFile[] }): string | null {
  const paths = tree.files.map((f) => f.path);
  return paths.includes("agent.py") ? "agent.py" : (paths[0] ?? null);
}
