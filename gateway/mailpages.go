package gateway

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"go.uber.org/zap"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/logging"
)

// Mail links land on small pages the gateway serves, so sign-up and password
// reset work without a frontend:
//
//	GET  /verify-email?token=…    a page whose button confirms the address
//	POST /verify-email            (the button) → identity's VerifyEmail
//	GET  /reset-password?token=…  a page asking for the new password
//	POST /reset-password          (the form) → identity's ResetPassword
//
// Opening a link changes nothing: only the button does. Mail scanners that
// prefetch every link therefore cannot use a token up. A real frontend takes
// the links over by serving the same paths under identity's PUBLIC_URL.
type mailPages struct {
	identity identityv1.IdentityServiceClient
	log      *zap.Logger
}

func (p mailPages) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /verify-email", p.verifyForm)
	mux.HandleFunc("POST /verify-email", p.verify)
	mux.HandleFunc("GET /reset-password", p.resetForm)
	mux.HandleFunc("POST /reset-password", p.reset)
}

// pageData fills the one template every page uses.
type pageData struct {
	Title   string // Korean / English
	Message string
	Action  string // the form's target; empty for a page without a form
	Token   string
	// Password asks for a new password.
	Password bool
	Button   string
	OK       bool
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · Jangteo</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}p{line-height:1.5}.ok{color:#11772d}.err{color:#b3261e}
input,button{font-size:1rem;padding:.6rem;width:100%;box-sizing:border-box;margin:.3rem 0}
button{background:#222;color:#fff;border:0;border-radius:.4rem;cursor:pointer}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Message}}<p class="{{if .OK}}ok{{else}}err{{end}}">{{.Message}}</p>{{end}}
{{if .Action}}<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
{{if .Password}}<label>새 비밀번호 / New password<input type="password" name="new_password" autocomplete="new-password" required minlength="8"></label>{{end}}
<button type="submit">{{.Button}}</button>
</form>{{end}}
</body>
</html>
`))

func (p mailPages) render(w http.ResponseWriter, r *http.Request, code int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	if err := page.Execute(w, d); err != nil {
		logging.For(r.Context(), p.log).Warn("mail page", zap.Error(err))
	}
}

func (p mailPages) verifyForm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" || len(tok) > 200 {
		p.render(w, r, http.StatusBadRequest, pageData{Title: "이메일 확인 / Confirm your email",
			Message: "링크가 올바르지 않습니다. / This link is not valid."})
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: "이메일 확인 / Confirm your email",
		Message: "아래 버튼을 눌러 이메일 주소를 확인하세요. / Press the button to confirm your email address.", OK: true,
		Action: "/verify-email", Token: tok, Button: "이메일 확인 / Confirm"})
}

func (p mailPages) verify(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	_, err := p.identity.VerifyEmail(ctx, &identityv1.VerifyEmailRequest{Token: r.PostFormValue("token")})
	title := "이메일 확인 / Confirm your email"
	if err != nil {
		code, msg := p.failure(r, err)
		p.render(w, r, code, pageData{Title: title, Message: msg})
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: title, OK: true,
		Message: "확인되었습니다. 이제 로그인할 수 있습니다. / Your email is confirmed: you can sign in now."})
}

func (p mailPages) resetForm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	title := "비밀번호 재설정 / Reset your password"
	if tok == "" || len(tok) > 200 {
		p.render(w, r, http.StatusBadRequest, pageData{Title: title, Message: "링크가 올바르지 않습니다. / This link is not valid."})
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: title, Action: "/reset-password", Token: tok, Password: true,
		Button: "비밀번호 변경 / Set password"})
}

func (p mailPages) reset(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	tok := r.PostFormValue("token")
	_, err := p.identity.ResetPassword(ctx, &identityv1.ResetPasswordRequest{Token: tok, NewPassword: r.PostFormValue("new_password")})
	title := "비밀번호 재설정 / Reset your password"
	if err != nil {
		code, msg := p.failure(r, err)
		d := pageData{Title: title, Message: msg}
		if status.Code(err) == codes.InvalidArgument && reason(err) != "LINK_INVALID" {
			// The password broke a rule: let the user try another one.
			d.Action, d.Token, d.Password, d.Button = "/reset-password", tok, true, "비밀번호 변경 / Set password"
		}
		p.render(w, r, code, d)
		return
	}
	p.render(w, r, http.StatusOK, pageData{Title: title, OK: true,
		Message: "비밀번호가 바뀌었고 모든 기기에서 로그아웃되었습니다. / Your password is changed and every session is signed out."})
}

// failure turns identity's answer into a status and a sentence for the page.
func (p mailPages) failure(r *http.Request, err error) (int, string) {
	st := status.Convert(err)
	switch {
	case reason(err) == "LINK_INVALID":
		return http.StatusBadRequest, "링크가 만료되었거나 이미 사용되었습니다. 새 링크를 요청하세요. / This link has expired or was already used: ask for a new one."
	case st.Code() == codes.InvalidArgument:
		return http.StatusBadRequest, st.Message()
	case st.Code() == codes.Unavailable, st.Code() == codes.DeadlineExceeded, st.Code() == codes.ResourceExhausted:
		return http.StatusServiceUnavailable, "잠시 후 다시 시도하세요. / Please try again in a moment."
	default:
		logging.For(r.Context(), p.log).Error("mail page", zap.Error(err))
		return http.StatusInternalServerError, "문제가 생겼습니다. / Something went wrong."
	}
}

// reason is the ErrorInfo reason of a service's error, if any.
func reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}
