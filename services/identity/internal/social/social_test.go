package social

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Tokens the fake providers understand.
const (
	tokenGood = "ya29.good-token"
	tokenDown = "provider-is-down" // the fake answers 500
	tokenSlow = "provider-is-slow" // the fake never answers in time
)

// Real provider answers, as documented by Google, Naver and Kakao.
const (
	googleOK = `{
  "sub": "110169484474386276334",
  "name": "Kim Minji",
  "given_name": "Minji",
  "family_name": "Kim",
  "picture": "https://lh3.googleusercontent.com/a/ACg8ocL",
  "email": "minji@gmail.com",
  "email_verified": true,
  "locale": "ko"
}`
	googleInvalid = `{
  "error": "invalid_token",
  "error_description": "Invalid Credentials"
}`
	naverOK      = `{"resultcode":"00","message":"success","response":{"id":"32742776","nickname":"장터왕","name":"김민지","email":"minji@naver.com","gender":"F","age":"20-29","birthday":"10-01","profile_image":"https://ssl.pstatic.net/static/pwe/address/img_profile.png","birthyear":"1998","mobile":"010-1234-5678"}}`
	naverInvalid = `{"resultcode":"024","message":"Authentication failed / 인증에 실패했습니다."}`
	kakaoOK      = `{
  "id": 123456789,
  "connected_at": "2022-04-11T01:45:28Z",
  "properties": {"nickname": "민지"},
  "kakao_account": {
    "profile_nickname_needs_agreement": false,
    "profile": {
      "nickname": "민지",
      "thumbnail_image_url": "http://yyy.kakao.com/.../img_110x110.jpg",
      "profile_image_url": "http://yyy.kakao.com/dn/.../img_640x640.jpg",
      "is_default_image": false
    },
    "has_email": true,
    "email_needs_agreement": false,
    "is_email_valid": true,
    "is_email_verified": true,
    "email": "minji@kakao.com"
  }
}`
	kakaoInvalidBody = `{"msg":"this access token does not exist","code":-401}`
)

// fake starts a server that answers path like the provider: bad tokens get
// the provider's own 401, tokenDown a 500, tokenSlow nothing in time.
func fake(t *testing.T, path, ok string, invalid func(http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + tokenGood:
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			_, _ = w.Write([]byte(ok))
		case "Bearer " + tokenDown:
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		case "Bearer " + tokenSlow:
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			invalid(w)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	providers := []struct {
		name string
		new  func(baseURL string) Provider
		path string
		ok   string
		// invalid answers a rejected token exactly like the provider.
		invalid func(http.ResponseWriter)
		want    Profile
	}{
		{
			name: ProviderGoogle,
			new:  func(u string) Provider { return NewGoogle(u, hc) },
			path: "/v1/userinfo",
			ok:   googleOK,
			invalid: func(w http.ResponseWriter) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
				writeJSON(w, http.StatusUnauthorized, googleInvalid)
			},
			want: Profile{Provider: "google", Subject: "110169484474386276334", Email: "minji@gmail.com", EmailVerified: true, Name: "Kim Minji", AvatarURL: "https://lh3.googleusercontent.com/a/ACg8ocL"},
		},
		{
			name:    ProviderNaver,
			new:     func(u string) Provider { return NewNaver(u, hc) },
			path:    "/v1/nid/me",
			ok:      naverOK,
			invalid: func(w http.ResponseWriter) { writeJSON(w, http.StatusUnauthorized, naverInvalid) },
			want:    Profile{Provider: "naver", Subject: "32742776", Email: "minji@naver.com", EmailVerified: true, Name: "김민지", AvatarURL: "https://ssl.pstatic.net/static/pwe/address/img_profile.png"},
		},
		{
			name:    ProviderKakao,
			new:     func(u string) Provider { return NewKakao(u, hc) },
			path:    "/v2/user/me",
			ok:      kakaoOK,
			invalid: func(w http.ResponseWriter) { writeJSON(w, http.StatusUnauthorized, kakaoInvalidBody) },
			want:    Profile{Provider: "kakao", Subject: "123456789", Email: "minji@kakao.com", EmailVerified: true, Name: "민지", AvatarURL: "http://yyy.kakao.com/dn/.../img_640x640.jpg"},
		},
	}
	cases := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"success", tokenGood, nil},
		{"invalid token", "expired-token", ErrInvalidToken},
		{"empty token", "", ErrInvalidToken},
		{"provider 500", tokenDown, ErrUnavailable},
		{"provider timeout", tokenSlow, ErrUnavailable},
	}
	for _, p := range providers {
		srv := fake(t, p.path, p.ok, p.invalid)
		// A trailing slash on the configured base URL must not break the path.
		prov := p.new(srv.URL + "/")
		if prov.Name() != p.name {
			t.Fatalf("Name() = %q, want %q", prov.Name(), p.name)
		}
		for _, c := range cases {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				got, err := prov.UserInfo(context.Background(), c.token)
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("UserInfo err = %v, want %v", err, c.wantErr)
				}
				if c.wantErr == nil && got != p.want {
					t.Fatalf("UserInfo =\n %+v\nwant\n %+v", got, p.want)
				}
			})
		}
	}
}

func TestUserInfoProviderQuirks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		new     func(baseURL string) Provider
		status  int
		body    string
		want    Profile
		wantErr error
	}{
		{
			name:   "google email not verified",
			new:    func(u string) Provider { return NewGoogle(u, nil) },
			status: 200, body: `{"sub":"1","email":"a@example.com","email_verified":false,"name":"A"}`,
			want: Profile{Provider: "google", Subject: "1", Email: "a@example.com", Name: "A"},
		},
		{
			name:   "google legacy string boolean",
			new:    func(u string) Provider { return NewGoogle(u, nil) },
			status: 200, body: `{"sub":"1","email":"a@example.com","email_verified":"true"}`,
			want: Profile{Provider: "google", Subject: "1", Email: "a@example.com", EmailVerified: true},
		},
		{
			name:   "google without sub",
			new:    func(u string) Provider { return NewGoogle(u, nil) },
			status: 200, body: `{"email":"a@example.com"}`,
			wantErr: ErrBadResponse,
		},
		{
			name:   "google rate limited",
			new:    func(u string) Provider { return NewGoogle(u, nil) },
			status: 429, body: `{"error":"rate_limit_exceeded"}`,
			wantErr: ErrUnavailable,
		},
		{
			name:   "naver without consent to email falls back to nickname",
			new:    func(u string) Provider { return NewNaver(u, nil) },
			status: 200, body: `{"resultcode":"00","message":"success","response":{"id":"abc","nickname":"장터왕"}}`,
			want: Profile{Provider: "naver", Subject: "abc", Name: "장터왕"},
		},
		{
			name:   "naver missing API permission",
			new:    func(u string) Provider { return NewNaver(u, nil) },
			status: 403, body: `{"resultcode":"403","message":"Forbidden"}`,
			wantErr: ErrBadResponse,
		},
		{
			name:   "naver malformed json",
			new:    func(u string) Provider { return NewNaver(u, nil) },
			status: 200, body: `<html>`,
			wantErr: ErrBadResponse,
		},
		{
			name:   "kakao email not valid any more",
			new:    func(u string) Provider { return NewKakao(u, nil) },
			status: 200, body: `{"id":42,"kakao_account":{"email":"old@kakao.com","is_email_valid":false,"is_email_verified":true,"profile":{"nickname":"n"}}}`,
			want: Profile{Provider: "kakao", Subject: "42", Email: "old@kakao.com", Name: "n"},
		},
		{
			name:   "kakao large id",
			new:    func(u string) Provider { return NewKakao(u, nil) },
			status: 200, body: `{"id":4020304050607,"kakao_account":{}}`,
			want: Profile{Provider: "kakao", Subject: "4020304050607"},
		},
		{
			name:   "kakao internal error",
			new:    func(u string) Provider { return NewKakao(u, nil) },
			status: 400, body: `{"msg":"internal error","code":-1}`,
			wantErr: ErrUnavailable,
		},
		{
			name:   "kakao maintenance",
			new:    func(u string) Provider { return NewKakao(u, nil) },
			status: 400, body: `{"msg":"under maintenance","code":-7}`,
			wantErr: ErrUnavailable,
		},
		{
			name:   "kakao bad request",
			new:    func(u string) Provider { return NewKakao(u, nil) },
			status: 400, body: `{"msg":"invalid param","code":-2}`,
			wantErr: ErrBadResponse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, tt.body)
			}))
			t.Cleanup(srv.Close)
			got, err := tt.new(srv.URL).UserInfo(context.Background(), "token")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("UserInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUserInfoSendsKakaoHeaders(t *testing.T) {
	t.Parallel()
	var gotAuth, gotCT string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotCT = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		writeJSON(w, 200, kakaoOK)
	}))
	t.Cleanup(srv.Close)
	if _, err := NewKakao(srv.URL, nil).UserInfo(context.Background(), "abc"); err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if gotAuth != "Bearer abc" || !strings.HasPrefix(gotCT, "application/x-www-form-urlencoded") {
		t.Fatalf("Authorization %q, Content-Type %q", gotAuth, gotCT)
	}
}

func TestUserInfoCallerCancelIsNotOutage(t *testing.T) {
	t.Parallel()
	srv := fake(t, "/v1/userinfo", googleOK, func(w http.ResponseWriter) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewGoogle(srv.URL, nil).UserInfo(ctx, tokenSlow)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want context.Canceled and not ErrUnavailable", err)
	}
}

func TestUserInfoConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := NewNaver(url, nil).UserInfo(context.Background(), tokenGood)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	r := NewDefaultRegistry(Config{}, nil)
	if got := strings.Join(r.Names(), ","); got != "google,kakao,naver" {
		t.Fatalf("Names = %s", got)
	}
	for _, tt := range []struct {
		name    string
		wantErr error
	}{
		{"google", nil}, {"naver", nil}, {"kakao", nil},
		{"facebook", ErrUnknownProvider}, {"", ErrUnknownProvider}, {"Google", ErrUnknownProvider},
	} {
		p, err := r.Get(tt.name)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Get(%q) err = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && p.Name() != tt.name {
			t.Errorf("Get(%q).Name() = %q", tt.name, p.Name())
		}
	}
	// Defaults point at the real hosts.
	for _, tt := range []struct{ got, want string }{
		{NewGoogle("", nil).ep.url, "https://openidconnect.googleapis.com/v1/userinfo"},
		{NewNaver("", nil).ep.url, "https://openapi.naver.com/v1/nid/me"},
		{NewKakao("", nil).ep.url, "https://kapi.kakao.com/v2/user/me"},
	} {
		if tt.got != tt.want {
			t.Errorf("default URL = %s, want %s", tt.got, tt.want)
		}
	}
}
