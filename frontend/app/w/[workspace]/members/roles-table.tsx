import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const ROLE_POWERS: { role: string; can: string }[] = [
  { role: "owner", can: "Everything an admin can, and change anyone's role." },
  { role: "admin", can: "Invite and remove people, set and delete provider keys." },
  { role: "developer", can: "Create, edit and delete agents; test provider keys." },
  { role: "viewer", can: "See agents, keys (last four characters only) and members." },
];

export function RolesTable() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Roles</CardTitle>
        <CardDescription>Each role can do everything the roles below it can.</CardDescription>
      </CardHeader>
      <table className="w-full text-left text-sm">
        <thead>
          <tr className="border-b">
            <th scope="col" className="py-2 pr-4 font-medium">
              Role
            </th>
            <th scope="col" className="py-2 font-medium">
              May
            </th>
          </tr>
        </thead>
        <tbody>
          {ROLE_POWERS.map(({ role, can }) => (
            <tr key={role} className="border-b last:border-0">
              <td className="py-2 pr-4 font-mono text-xs">{role}</td>
              <td className="py-2 text-muted-foreground">{can}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
