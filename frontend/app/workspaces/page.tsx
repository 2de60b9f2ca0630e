import type { Metadata } from "next";

import { AppHeader } from "@/components/app-shell/app-header";
import { RequireLogin } from "@/components/app-shell/require-login";

import { WorkspacesView } from "./workspaces-view";

export const metadata: Metadata = { title: "Workspaces" };

export default function WorkspacesPage() {
  return (
    <div className="flex min-h-screen flex-col">
      <AppHeader />
      <main className="mx-auto w-full max-w-3xl px-3 py-6 sm:px-6">
        <RequireLogin>
          <WorkspacesView />
        </RequireLogin>
      </main>
    </div>
  );
}
