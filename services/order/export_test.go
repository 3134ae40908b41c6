package order

import (
	"github.com/jangteo/jangteo/services/order/internal/app"
	bookingapp "github.com/jangteo/jangteo/services/order/internal/bookings/app"
)

// App exposes the use cases to tests that drive a timer by hand.
func (s *Service) App() *app.App { return s.app }

// Bookings exposes space rental's use cases to tests that drive a timer by hand.
func (s *Service) Bookings() *bookingapp.App { return s.bookings }
