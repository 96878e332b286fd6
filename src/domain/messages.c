/* Problem codes in Vietnamese (see messages.h). */
#include "domain/messages.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *code;
	const char *vi;
} catalogue[] = {
	{"bloc_not_found", "Không có khối, cụm thi đua này (hoặc khóa truy cập không được xem)."},
	{"bloc_year_not_found", "Khối, cụm thi đua không có dữ liệu của năm này."},
	{"body_too_large", "Nội dung gửi lên quá lớn; hãy chia thành nhiều lần gửi."},
	{"conflict", "Thay đổi xung đột với dữ liệu vừa được ghi; hãy đọc lại rồi thử lại."},
	{"constraint_violated", "Thay đổi vi phạm quy tắc của dữ liệu (ngày tháng, tên một dòng, giới hạn số liệu)."},
	{"cors_origin_refused", "Trang web này không được phép gọi dịch vụ; quản trị viên có thể thêm vào THIDUA_CORS_ORIGINS."},
	{"database_busy", "Cơ sở dữ liệu đang bận; hãy thử lại sau giây lát."},
	{"database_unavailable", "Tạm thời không kết nối được cơ sở dữ liệu; hãy thử lại sau giây lát."},
	{"duplicate_row", "Tệp có hai dòng cho cùng một số liệu."},
	{"forbidden_role", "Vai trò của khóa truy cập không đủ quyền cho thao tác này."},
	{"import_rejected", "Có dòng bị từ chối nên chưa ghi gì; hãy sửa các dòng trong danh sách rejected, hoặc gửi "
	                    "on_error=skip để ghi các dòng hợp lệ."},
	{"indicator_not_found", "Không có chỉ số này."},
	{"internal_error", "Máy chủ gặp lỗi và chưa hoàn thành yêu cầu; lỗi đã được ghi lại theo mã yêu cầu."},
	{"invalid_body", "Nội dung gửi lên không đúng dạng yêu cầu."},
	{"invalid_csv", "Tệp CSV bị lỗi dấu ngoặc kép; trong ô có ngoặc kép, hãy viết hai dấu ngoặc kép."},
	{"invalid_csv_header", "Dòng tiêu đề của tệp không đúng; xem danh sách cột trong errors."},
	{"invalid_cursor", "Con trỏ phân trang không hợp lệ; hãy bắt đầu lại từ trang đầu."},
	{"invalid_encoding", "Tệp không phải UTF-8; trong Excel hãy lưu dạng CSV UTF-8 (Comma delimited)."},
	{"invalid_field", "Có trường dữ liệu không hợp lệ; xem chi tiết trong errors."},
	{"invalid_json", "Nội dung JSON không đọc được."},
	{"invalid_key", "Khóa truy cập không đúng, không còn hiệu lực hoặc đã bị thu hồi."},
	{"invalid_number", "Có số liệu không đọc được; xem chi tiết trong errors."},
	{"invalid_parameter", "Có tham số không hợp lệ; xem chi tiết trong errors."},
	{"invalid_parent", "Đơn vị cấp trên không hợp lệ."},
	{"invalid_period", "Mã kỳ báo cáo không hợp lệ; ví dụ: 2022, 2022H1, 2022Q3, 2022M09, 2022YTD09, 2023-2028."},
	{"invalid_row", "Có dòng dữ liệu không hợp lệ."},
	{"invalid_uri", "Địa chỉ yêu cầu không hợp lệ."},
	{"invalid_value", "Có giá trị vượt giới hạn hoặc không đúng kiểu."},
	{"invalid_xlsx", "Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy lưu từ Excel dạng Excel Workbook hoặc CSV UTF-8."},
	{"key_in_url", "Không gửi khóa truy cập trên địa chỉ; hãy dùng tiêu đề Authorization: Bearer."},
	{"key_not_found", "Không có khóa truy cập này."},
	{"lock_exists", "Kỳ báo cáo này đã được khóa sổ cho đơn vị."},
	{"lock_not_found", "Không có khóa sổ này."},
	{"method_not_allowed", "Phương thức không được phép trên địa chỉ này."},
	{"missing_field", "Thiếu trường dữ liệu bắt buộc; xem chi tiết trong errors."},
	{"missing_parameter", "Thiếu tham số bắt buộc; xem chi tiết trong errors."},
	{"not_found", "Không có tài nguyên tại địa chỉ này."},
	{"not_migrated", "Cơ sở dữ liệu chưa được cập nhật cấu trúc; hãy chạy thidua migrate."},
	{"organization_exists", "Đơn vị với mã này đã có."},
	{"organization_in_use", "Đơn vị đang được dùng (số liệu, khối thi đua, khóa truy cập) nên không xóa được."},
	{"organization_not_found", "Không có đơn vị này."},
	{"out_of_scope", "Khóa truy cập không có quyền với đơn vị này trong kỳ này."},
	{"outside_existence", "Đơn vị không tồn tại trong kỳ báo cáo này."},
	{"period_locked", "Kỳ báo cáo đã khóa sổ; quản trị viên có thể mở khóa."},
	{"precondition_failed", "Dữ liệu đã thay đổi từ khi bạn đọc; hãy đọc lại rồi sửa."},
	{"query_timeout", "Yêu cầu chạy quá lâu; hãy thu hẹp phạm vi hoặc thử lại lúc ít người dùng."},
	{"schema_mismatch", "Cấu trúc cơ sở dữ liệu không khớp với phiên bản dịch vụ."},
	{"shutting_down", "Máy chủ này đang dừng; hãy gửi lại yêu cầu."},
	{"too_complex", "Yêu cầu quá lớn hoặc quá phức tạp; hãy chia nhỏ."},
	{"unauthorized", "Cần khóa truy cập: gửi tiêu đề Authorization: Bearer <khóa>."},
	{"unknown_bloc", "Không có khối, cụm thi đua này."},
	{"unknown_field", "Có trường dữ liệu không được nhận; xem chi tiết trong errors."},
	{"unknown_indicator", "Không có chỉ số này."},
	{"unknown_organization", "Không có đơn vị này."},
	{"unknown_parameter", "Có tham số không được nhận; xem chi tiết trong errors."},
	{"unsupported_media_type", "Định dạng gửi lên không được nhận; hãy gửi CSV, Excel (.xlsx) hoặc JSON."},
	{"value_not_found", "Không có số liệu này."},
	{"wrong_field_count", "Dòng có số cột khác với dòng tiêu đề."},
};

const char *message_vi(const char *code)
{
	for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
		if (!strcmp(catalogue[i].code, code))
			return catalogue[i].vi;
	return NULL;
}
