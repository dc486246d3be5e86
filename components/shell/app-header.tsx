import { initials } from "@/lib/account/initials";
import { AvatarMenu } from "./avatar-menu";
import { Logo } from "./logo";

type Props = {
  user: { name: string; email: string };
  organisationName: string | null;
  isAdmin: boolean;
  /** A server action from app/: components do not import from app/. */
  signOutAction: () => Promise<void>;
};

export function AppHeader({ user, organisationName, isAdmin, signOutAction }: Props) {
  return (
    <header className="sticky top-0 z-10 border-b border-gray-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-16 max-w-5xl items-center justify-between gap-4 px-4 sm:px-6">
        <div className="flex min-w-0 items-center gap-3">
          <Logo />
          {organisationName && (
            <span className="hidden truncate rounded-md bg-gray-100 px-2 py-1 text-xs font-medium text-gray-600 sm:inline">{organisationName}</span>
          )}
        </div>
        <AvatarMenu
          initials={initials(user.name, user.email)}
          name={user.name}
          email={user.email}
          isAdmin={isAdmin}
          signOutAction={signOutAction}
        />
      </div>
    </header>
  );
}
