"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import * as z from "zod/mini";

import { describedBy, Field } from "@/components/field";
import { ActionError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { useHydrated } from "@/lib/use-hydrated";

import { logInAndPickPage } from "../_components/session";

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const schema = z.object({
  email: z.email("Enter your email address."),
  password: z.string().check(z.minLength(12, "Use at least 12 characters."), z.maxLength(1024, "At most 1024 characters.")),
  workspace: z.string().check(
    z.maxLength(63, "At most 63 characters."),
    z.refine((v) => v === "" || NAMESPACE.test(v), "Lowercase letters, digits and -, starting and ending with a letter or digit."),
  ),
});

export function SignupForm() {
  const router = useRouter();
  const next = useSearchParams().get("next");
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const hydrated = useHydrated();
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { email: "", password: "", workspace: "" } });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async ({ email, password, workspace }) => {
    setError(null);
    try {
      await unwrap(api.POST("/api/v1/auth/signup", { body: workspace ? { email, password, workspace } : { email, password } }));
      const page = await logInAndPickPage(email, password, next);
      queryClient.clear();
      router.push(page);
    } catch (caught) {
      setError(caught);
    }
  });

  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold">Create your account</h1>
        <CardDescription>
          Already have one?{" "}
          <Link className="underline underline-offset-4" href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"}>
            Log in
          </Link>
        </CardDescription>
      </CardHeader>
      <form onSubmit={onSubmit} noValidate>
        <fieldset disabled={!hydrated} className="flex flex-col gap-4">
        <Field id="email" label="Email" error={errors.email?.message}>
          <Input id="email" type="email" autoComplete="email" aria-invalid={!!errors.email} aria-describedby={describedBy("email", errors.email?.message)} {...form.register("email")} />
        </Field>
        <Field id="password" label="Password" hint="At least 12 characters." error={errors.password?.message}>
          <Input id="password" type="password" autoComplete="new-password" aria-invalid={!!errors.password} aria-describedby={describedBy("password", errors.password?.message)} {...form.register("password")} />
        </Field>
        <Field
          id="workspace"
          label="First workspace (optional)"
          hint="Only the platform's very first account gets a workspace; everyone else joins by invitation."
          error={errors.workspace?.message}
        >
          <Input id="workspace" placeholder="acme" aria-invalid={!!errors.workspace} aria-describedby={describedBy("workspace", errors.workspace?.message)} {...form.register("workspace")} />
        </Field>
        <ActionError error={error} />
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? "Creating account…" : "Sign up"}
        </Button>
        </fieldset>
      </form>
    </Card>
  );
}
