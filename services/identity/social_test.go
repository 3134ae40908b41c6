package identity_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/services/identity"
)

// providers answers like Google's, Naver's and Kakao's user-info endpoints:
// each known bearer token gets its profile, any other token the provider's
// own invalid-token answer, and the token "down" a server error.
func providers(t *testing.T) *httptest.Server {
	t.Helper()
	profiles := map[string]map[string]string{
		"/v1/userinfo": { // Google (OpenID Connect userinfo)
			"g-minji":      `{"sub":"110169484474386276334","name":"Kim Minji","picture":"https://lh3.googleusercontent.com/a/ACg8ocL","email":"minji@gmail.com","email_verified":true,"locale":"ko"}`,
			"g-unverified": `{"sub":"220000000000000000001","name":"Squatter","email":"owner@example.com","email_verified":false}`,
		},
		"/v1/nid/me": { // Naver
			"n-jiho": `{"resultcode":"00","message":"success","response":{"id":"32742776","nickname":"장터왕","name":"이지호","email":"jiho@naver.com","profile_image":"https://ssl.pstatic.net/static/pwe/address/img_profile.png","mobile":"010-1234-5678"}}`,
		},
		"/v2/user/me": { // Kakao
			"k-owner":   `{"id":123456789,"connected_at":"2022-04-11T01:45:28Z","kakao_account":{"profile":{"nickname":"주인","profile_image_url":"http://k.kakaocdn.net/dn/img_640x640.jpg"},"has_email":true,"is_email_valid":true,"is_email_verified":true,"email":"Owner@Example.com"}}`,
			"k-noemail": `{"id":4020304050607,"connected_at":"2022-04-11T01:45:28Z","kakao_account":{"profile_nickname_needs_agreement":false,"profile":{"nickname":"익명"}}}`,
		},
	}
	invalid := map[string]struct {
		status int
		body   string
	}{
		"/v1/userinfo": {http.StatusUnauthorized, `{"error":"invalid_token","error_description":"Invalid Credentials"}`},
		"/v1/nid/me":   {http.StatusUnauthorized, `{"resultcode":"024","message":"Authentication failed / 인증에 실패했습니다."}`},
		"/v2/user/me":  {http.StatusUnauthorized, `{"msg":"this access token does not exist","code":-401}`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		known, path := profiles[r.URL.Path]
		switch {
		case !path || r.Method != http.MethodGet:
			http.NotFound(w, r)
		case tok == "down":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"backend_error"}`))
		case ok && known[tok] != "":
			_, _ = w.Write([]byte(known[tok]))
		default:
			if r.URL.Path == "/v1/userinfo" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			}
			w.WriteHeader(invalid[r.URL.Path].status)
			_, _ = w.Write([]byte(invalid[r.URL.Path].body))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSocialLogin(t *testing.T) {
	t.Parallel()
	p := providers(t)
	e := start(t, func(c *identity.Config) {
		c.Social.GoogleBaseURL, c.Social.NaverBaseURL, c.Social.KakaoBaseURL = p.URL, p.URL, p.URL
	})
	ctx := context.Background()
	social := func(provider, tok string) (*identityv1.SocialLoginResponse, error) {
		return e.client.SocialLogin(ctx, &identityv1.SocialLoginRequest{Provider: provider, AccessToken: tok})
	}

	// A new Google user gets an active, verified account; the second sign-in finds it.
	first, err := social("google", "g-minji")
	if err != nil {
		t.Fatal(err)
	}
	u := first.GetUser()
	if !first.GetCreated() || u.GetEmail() != "minji@gmail.com" || !u.GetEmailVerified() || u.GetStatus() != "active" ||
		u.GetName() != "Kim Minji" || strings.Join(u.GetProviders(), ",") != "google" || first.GetTokenType() != "Bearer" {
		t.Fatalf("first Google sign-in = %v", first)
	}
	again, err := social("google", "g-minji")
	if err != nil || again.GetCreated() || again.GetUser().GetId() != u.GetId() {
		t.Fatalf("second Google sign-in = %v, %v", again, err)
	}
	if me, err := e.client.GetMe(as(again.GetAccessToken()), &identityv1.GetMeRequest{}); err != nil || me.GetUser().GetId() != u.GetId() {
		t.Fatalf("GetMe = %v, %v", me, err)
	}
	if _, err := refresh(e, again.GetRefreshToken()); err != nil {
		t.Fatalf("refresh a social session: %v", err)
	}

	n, err := social("naver", "n-jiho")
	if err != nil || !n.GetCreated() || n.GetUser().GetName() != "이지호" || n.GetUser().GetEmail() != "jiho@naver.com" {
		t.Fatalf("Naver = %v, %v", n, err)
	}

	// An unverified sign-up with the same, provider-verified email is linked
	// (and thereby verified); its password keeps working.
	if _, err := e.client.SignUp(ctx, &identityv1.SignUpRequest{Email: "owner@example.com", Password: "correct-horse-7", Name: "Owner"}); err != nil {
		t.Fatal(err)
	}
	// A provider that does not vouch for the email must not take the account over.
	squat, err := social("google", "g-unverified")
	if err != nil || !squat.GetCreated() || squat.GetUser().GetEmail() != "" {
		t.Fatalf("unverified-email sign-in = %v, %v", squat, err)
	}
	k, err := social("kakao", "k-owner")
	if err != nil || k.GetCreated() || k.GetUser().GetEmail() != "owner@example.com" || k.GetUser().GetStatus() != "active" ||
		!k.GetUser().GetEmailVerified() || strings.Join(k.GetUser().GetProviders(), ",") != "kakao" {
		t.Fatalf("Kakao link = %v, %v", k, err)
	}
	if owner := e.login(t, "owner@example.com", "correct-horse-7"); owner.GetUser().GetId() != k.GetUser().GetId() {
		t.Fatalf("password login = %v, social = %v", owner.GetUser(), k.GetUser())
	}

	// Kakao without an email shared still signs in, once.
	noEmail, err := social("kakao", "k-noemail")
	if err != nil || !noEmail.GetCreated() || noEmail.GetUser().GetEmail() != "" || noEmail.GetUser().GetName() != "익명" {
		t.Fatalf("Kakao without email = %v, %v", noEmail, err)
	}
	if again, _ := social("kakao", "k-noemail"); again.GetUser().GetId() != noEmail.GetUser().GetId() {
		t.Fatalf("second Kakao sign-in made another account")
	}

	tests := []struct {
		provider, token string
		code            codes.Code
		reason          string
	}{
		{"google", "expired", codes.Unauthenticated, "SOCIAL_TOKEN_INVALID"},
		{"naver", "expired", codes.Unauthenticated, "SOCIAL_TOKEN_INVALID"},
		{"kakao", "expired", codes.Unauthenticated, "SOCIAL_TOKEN_INVALID"},
		{"google", "down", codes.Unavailable, "PROVIDER_UNAVAILABLE"},
		{"facebook", "x", codes.InvalidArgument, "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+" "+tt.token, func(t *testing.T) {
			_, err := social(tt.provider, tt.token)
			if code(err) != tt.code || reason(err) != tt.reason {
				t.Fatalf("SocialLogin = %v (%s), want %v %s", err, reason(err), tt.code, tt.reason)
			}
		})
	}

	// A disabled account cannot come back through a provider.
	adm := as(e.login(t, adminEmail, adminPassword).GetAccessToken())
	if _, err := e.client.DisableUser(adm, &identityv1.DisableUserRequest{UserId: u.GetId()}); err != nil {
		t.Fatal(err)
	}
	if _, err := social("google", "g-minji"); code(err) != codes.PermissionDenied {
		t.Fatalf("disabled social sign-in = %v", err)
	}
}
