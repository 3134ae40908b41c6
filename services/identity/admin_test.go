package identity_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
)

func TestAdminUsers(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.login(t, adminEmail, adminPassword)
	adm := as(admin.GetAccessToken())
	victim := e.signUp(t, "victim@example.com")
	e.signUp(t, "bystander@example.com")

	if _, err := e.client.ListUsers(as(victim.GetAccessToken()), &identityv1.ListUsersRequest{}); code(err) != codes.PermissionDenied {
		t.Fatalf("customer ListUsers = %v", err)
	}
	all, err := e.client.ListUsers(adm, &identityv1.ListUsersRequest{PageSize: 2})
	if err != nil || all.GetTotalCount() != 3 || all.GetTotalPages() != 2 || len(all.GetUsers()) != 2 {
		t.Fatalf("ListUsers = %v, %v", all, err)
	}
	found, err := e.client.ListUsers(adm, &identityv1.ListUsersRequest{Q: "VICTIM"})
	if err != nil || found.GetTotalCount() != 1 || found.GetUsers()[0].GetId() != victim.GetUser().GetId() {
		t.Fatalf("search = %v, %v", found, err)
	}
	if none, _ := e.client.ListUsers(adm, &identityv1.ListUsersRequest{Q: "%"}); none.GetTotalCount() != 0 {
		t.Fatalf("%% matched %d users; wildcards must be literal", none.GetTotalCount())
	}

	// Roles: grant staff, and the next token carries it.
	roles, err := e.client.SetUserRoles(adm, &identityv1.SetUserRolesRequest{UserId: victim.GetUser().GetId(), Roles: []string{"staff"}})
	if err != nil || len(roles.GetUser().GetRoles()) != 2 {
		t.Fatalf("SetUserRoles = %v, %v", roles, err)
	}
	staff := e.login(t, "victim@example.com", "correct-horse-7")
	if _, err := e.client.ListHoneypotAttempts(as(staff.GetAccessToken()), &identityv1.ListHoneypotAttemptsRequest{}); err != nil {
		t.Fatalf("staff call with granted role: %v", err)
	}
	if _, err := e.client.SetUserRoles(adm, &identityv1.SetUserRolesRequest{UserId: admin.GetUser().GetId(), Roles: []string{"staff"}}); code(err) != codes.FailedPrecondition {
		t.Fatalf("dropping own admin = %v", err)
	}
	if _, err := e.client.SetUserRoles(adm, &identityv1.SetUserRolesRequest{UserId: victim.GetUser().GetId(), Roles: []string{"root"}}); code(err) != codes.InvalidArgument {
		t.Fatalf("unknown role = %v", err)
	}

	// Disable: login 403, refresh refused, access token runs out on its own.
	dis, err := e.client.DisableUser(adm, &identityv1.DisableUserRequest{UserId: victim.GetUser().GetId()})
	if err != nil || dis.GetUser().GetStatus() != "disabled" {
		t.Fatalf("DisableUser = %v, %v", dis, err)
	}
	_, err = e.client.Login(context.Background(), &identityv1.LoginRequest{Email: "victim@example.com", Password: "correct-horse-7"})
	if code(err) != codes.PermissionDenied || reason(err) != "ACCOUNT_DISABLED" {
		t.Fatalf("disabled login = %v", err)
	}
	if _, err := refresh(e, staff.GetRefreshToken()); code(err) != codes.PermissionDenied || reason(err) != "ACCOUNT_DISABLED" {
		t.Fatalf("disabled refresh = %v", err)
	}
	if _, err := e.client.DisableUser(adm, &identityv1.DisableUserRequest{UserId: admin.GetUser().GetId()}); code(err) != codes.FailedPrecondition {
		t.Fatalf("disabling self = %v", err)
	}
	if _, err := e.client.DisableUser(adm, &identityv1.DisableUserRequest{UserId: "0190a5e0-0000-7000-8000-000000000000"}); code(err) != codes.NotFound {
		t.Fatalf("unknown user = %v", err)
	}
	en, err := e.client.EnableUser(adm, &identityv1.EnableUserRequest{UserId: victim.GetUser().GetId()})
	if err != nil || en.GetUser().GetStatus() != "active" {
		t.Fatalf("EnableUser = %v, %v", en, err)
	}
	e.login(t, "victim@example.com", "correct-horse-7")
}
