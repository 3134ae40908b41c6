package errs

import "google.golang.org/protobuf/protoadapt"

type protoadaptMessage = protoadapt.MessageV1
