"use client";

/** Starts a custom agent: its name and a template for its code; the code editor opens next and
 * the agent itself is created by its first deploy. */

import { useMutation } from "@tanstack/react-query";
import { CodeIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ActionError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, NativeSelect } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { api, unwrap } from "@/lib/api/client";
import { workspacePath } from "@/lib/nav";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function NewCustomAgent({ workspace }: { workspace: string }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [template, setTemplate] = useState<"starter" | "blank">("starter");
  const [problem, setProblem] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code", { params: { path: { workspace, name } }, body: { template } })),
    onSuccess: () => router.push(workspacePath(workspace, "agents", name, "code")),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const found =
      name.length === 0 || name.length > 63 || !DNS_LABEL.test(name)
        ? "Use lowercase letters, digits and hyphens (at most 63), starting and ending with a letter or digit."
        : null;
    setProblem(found);
    if (!found) start.mutate();
  }

  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="outline">
          <CodeIcon aria-hidden /> New custom agent
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogTitle>New custom agent</DialogTitle>
          <DialogDescription>Your own Python code on the agent runtime. You edit it next; the first deploy creates the agent.</DialogDescription>
          <div className="grid gap-1.5">
            <Label htmlFor="custom-name">Name</Label>
            <Input
              id="custom-name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? "custom-name-error" : undefined}
              autoComplete="off"
              spellCheck={false}
            />
            {problem ? (
              <p id="custom-name-error" role="alert" className="text-sm text-destructive">
                {problem}
              </p>
            ) : null}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="custom-template">Start from</Label>
            <NativeSelect id="custom-template" value={template} onChange={(event) => setTemplate(event.target.value as "starter" | "blank")}>
              <option value="starter">The starter agent</option>
              <option value="blank">An empty entrypoint</option>
            </NativeSelect>
          </div>
          <ActionError error={start.error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={start.isPending}>
              {start.isPending ? "Creating…" : "Create and edit the code"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
