import { notFound } from "next/navigation";

/** Any address under a workspace that no page answers: the workspace's not-found page, inside
 * the workspace's frame (the root one would lose the navigation). */
export default function MissingPage(): never {
  notFound();
}
