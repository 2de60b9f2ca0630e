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
import { useHydrated } from "@/lib/use-hydrated";

import { logInAndPickPage } from "../_components/session";

const schema = z.object({
  email: z.email("Enter your email address."),
  password: z.string().check(z.minLength(1, "Enter your password.")),
});

export function LoginForm() {
  const router = useRouter();
  const next = useSearchParams().get("next");
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const hydrated = useHydrated();
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { email: "", password: "" } });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async ({ email, password }) => {
    setError(null);
    try {
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
        <h1 className="text-xl font-semibold">Log in</h1>
        <CardDescription>
          No account yet?{" "}
          <Link className="underline underline-offset-4" href={next ? `/signup?next=${encodeURIComponent(next)}` : "/signup"}>
            Sign up
          </Link>
        </CardDescription>
      </CardHeader>
      <form onSubmit={onSubmit} noValidate>
        <fieldset disabled={!hydrated} className="flex flex-col gap-4">
        <Field id="email" label="Email" error={errors.email?.message}>
          <Input id="email" type="email" autoComplete="email" aria-invalid={!!errors.email} aria-describedby={describedBy("email", errors.email?.message)} {...form.register("email")} />
        </Field>
        <Field id="password" label="Password" error={errors.password?.message}>
          <Input id="password" type="password" autoComplete="current-password" aria-invalid={!!errors.password} aria-describedby={describedBy("password", errors.password?.message)} {...form.register("password")} />
        </Field>
        <ActionError error={error} />
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? "Logging in…" : "Log in"}
        </Button>
        </fieldset>
      </form>
    </Card>
  );
}
