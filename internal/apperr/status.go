package apperr

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// ToStatus maps an error to the gRPC status a client sees. The second result is false when
// the error is unexpected: the caller must then log it and answer the masked status.
func ToStatus(err error) (*status.Status, bool) {
	if err == nil {
		return status.New(codes.OK, ""), true
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
		return s, true
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "the call was cancelled"), true
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "the call ran past its deadline"), true
	}
	e, ok := As(err)
	if !ok {
		return status.New(codes.Internal, "internal error"), false
	}
	var code codes.Code
	switch e.Kind {
	case KindInvalid:
		code = codes.InvalidArgument
	case KindNotFound:
		code = codes.NotFound
	case KindConflict:
		code = codes.AlreadyExists
	case KindRefused:
		code = codes.FailedPrecondition
	case KindStale:
		code = codes.Aborted
	case KindForbidden:
		code = codes.PermissionDenied
	case KindUnauthenticated:
		code = codes.Unauthenticated
	case KindUnavailable:
		code = codes.Unavailable
	case KindTooLarge:
		code = codes.InvalidArgument
	case KindExhausted:
		code = codes.ResourceExhausted
	default:
		return status.New(codes.Internal, "internal error"), false
	}
	st := status.New(code, e.Error())
	var details []protoadapt.MessageV1
	if len(e.Violations) > 0 {
		br := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
				Field: v.Field, Description: v.Reason,
			})
		}
		details = append(details, br)
	}
	if e.Reason != "" {
		details = append(details, &errdetails.ErrorInfo{Reason: e.Reason, Domain: Domain, Metadata: e.Metadata})
	}
	if len(details) == 0 {
		return st, true
	}
	withDetails, derr := st.WithDetails(details...)
	if derr != nil {
		return st, true
	}
	return withDetails, true
}
