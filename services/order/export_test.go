package order

import "github.com/jangteo/jangteo/services/order/internal/app"

// App exposes the use cases to tests that drive a timer by hand.
func (s *Service) App() *app.App { return s.app }
