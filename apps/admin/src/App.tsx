import { Center, Loader } from "@mantine/core";
import { lazy, Suspense } from "react";
import { Redirect, Route, Switch } from "wouter";
import { adminRole } from "./auth/tokens";
import { useSession } from "./context";
import { NoAccessPage } from "./pages/NoAccessPage";
import { SignInPage } from "./pages/SignInPage";
import { Shell } from "./ui/Shell";

// Pages load on demand: the first page (sign-in, then the users list) carries only what it uses.
const UsersPage = lazy(() => import("./pages/UsersPage"));
const UserDetailPage = lazy(() => import("./pages/UserDetailPage"));
const PhotosPage = lazy(() => import("./pages/PhotosPage"));
const PhotoDetailPage = lazy(() => import("./pages/PhotoDetailPage"));
const QueuePage = lazy(() => import("./pages/QueuePage"));
const AuditPage = lazy(() => import("./pages/AuditPage"));
const DeadLettersPage = lazy(() => import("./pages/DeadLettersPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

function PageLoading() {
  return (
    <Center h={240} aria-busy="true">
      <Loader aria-label="Loading page" />
    </Center>
  );
}

export function App() {
  const session = useSession();
  if (!session) return <SignInPage />;
  // The API refuses them too; this page says so before anything is asked of it.
  if (!adminRole(session.claims.groups)) return <NoAccessPage />;
  return (
    <Shell>
      <Suspense fallback={<PageLoading />}>
        <Switch>
          <Route path="/">
            <Redirect to="/users" replace />
          </Route>
          <Route path="/users" component={UsersPage} />
          <Route path="/users/:sub" component={UserDetailPage} />
          <Route path="/photos" component={PhotosPage} />
          <Route path="/photos/:owner/:photoId" component={PhotoDetailPage} />
          <Route path="/queue" component={QueuePage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/dead-letters" component={DeadLettersPage} />
          <Route component={NotFoundPage} />
        </Switch>
      </Suspense>
    </Shell>
  );
}
