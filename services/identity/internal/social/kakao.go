package social

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// DefaultKakaoBaseURL is Kakao's API host; the user-info path is /v2/user/me.
const DefaultKakaoBaseURL = "https://kapi.kakao.com"

const kakaoUserInfoPath = "/v2/user/me"

// Kakao error codes (body {"msg":"...","code":-401}) this client tells apart.
const (
	kakaoInvalidToken = -401 // invalid or expired access token (HTTP 401)
	kakaoInternal     = -1   // Kakao internal error (HTTP 400)
	kakaoMaintenance  = -7   // service under maintenance (HTTP 400)
)

// Kakao reads the user info of a Kakao account.
type Kakao struct {
	ep endpoint
}

var _ Provider = (*Kakao)(nil)

// NewKakao returns a Kakao client for baseURL (empty means
// DefaultKakaoBaseURL) using hc (nil means a client with DefaultTimeout).
func NewKakao(baseURL string, hc *http.Client) *Kakao {
	ep := newEndpoint(ProviderKakao, baseURL, DefaultKakaoBaseURL, kakaoUserInfoPath, hc)
	// Kakao's reference lists this header for /v2/user/me even on GET, and
	// Kakao's forum reports 401s for calls without it.
	ep.header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	return &Kakao{ep: ep}
}

// Name returns ProviderKakao.
func (k *Kakao) Name() string { return ProviderKakao }

type kakaoUser struct {
	ID           int64 `json:"id"`
	KakaoAccount struct {
		Profile struct {
			Nickname        string `json:"nickname"`
			ProfileImageURL string `json:"profile_image_url"`
		} `json:"profile"`
		Name            string `json:"name"`
		Email           string `json:"email"`
		IsEmailValid    bool   `json:"is_email_valid"`
		IsEmailVerified bool   `json:"is_email_verified"`
	} `json:"kakao_account"`
}

type kakaoError struct {
	Msg  string `json:"msg"`
	Code int    `json:"code"`
}

// UserInfo calls GET /v2/user/me. Kakao answers 401 with code -401 for a bad
// token, and reports its own trouble as HTTP 400 with code -1 or -7.
func (k *Kakao) UserInfo(ctx context.Context, accessToken string) (Profile, error) {
	status, body, err := k.ep.get(ctx, accessToken)
	if err != nil {
		return Profile{}, err
	}
	if status != http.StatusOK {
		var ke kakaoError
		_ = json.Unmarshal(body, &ke)
		switch {
		case status == http.StatusUnauthorized || ke.Code == kakaoInvalidToken:
			return Profile{}, k.ep.errorf(ErrInvalidToken, "HTTP %d code %d: %s", status, ke.Code, ke.Msg)
		case ke.Code == kakaoInternal || ke.Code == kakaoMaintenance:
			return Profile{}, k.ep.errorf(ErrUnavailable, "HTTP %d code %d: %s", status, ke.Code, ke.Msg)
		default:
			return Profile{}, k.ep.errorf(ErrBadResponse, "HTTP %d: %s", status, snippet(body))
		}
	}
	var u kakaoUser
	if err := json.Unmarshal(body, &u); err != nil {
		return Profile{}, k.ep.errorf(ErrBadResponse, "decode user: %v", err)
	}
	if u.ID == 0 {
		return Profile{}, k.ep.errorf(ErrBadResponse, "user has no id")
	}
	a := u.KakaoAccount
	name := a.Name
	if name == "" {
		name = a.Profile.Nickname
	}
	return Profile{
		Provider: ProviderKakao,
		Subject:  strconv.FormatInt(u.ID, 10),
		Email:    a.Email,
		// Kakao says to trust the email only when it is both verified and
		// still valid (not expired or taken over by another account).
		EmailVerified: a.Email != "" && a.IsEmailValid && a.IsEmailVerified,
		Name:          name,
		AvatarURL:     a.Profile.ProfileImageURL,
	}, nil
}
