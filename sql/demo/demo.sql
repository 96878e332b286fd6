-- Demo data: every organization, bloc and figure of the five articles in
-- ../shared/seeds (listed in FACTS.md). Loaded by `thidua demo`; running it
-- again changes nothing (codes upsert, values go through value_put, which
-- leaves identical figures alone).
--
-- "≈" figures (the articles' "hơn", "gần", "trên") are stored as numbers
-- with the wording kept in the note. Rows marked "reconstructed" are not in
-- any article: they are the smallest round figures that reproduce a
-- percentage an article states, and their note says so.

SET LOCAL thidua.actor = 'demo';

-- ---------------------------------------------------------------- organizations

INSERT INTO organization (code, name, short_name, kind, valid_from, valid_to) VALUES
	('VN', 'Tổng Liên đoàn Lao động Việt Nam', 'Tổng LĐLĐ Việt Nam', 'confederation', NULL, NULL),
	('HN', 'Liên đoàn Lao động thành phố Hà Nội', 'LĐLĐ Hà Nội', 'province', NULL, NULL),
	('HP', 'Liên đoàn Lao động thành phố Hải Phòng', 'LĐLĐ Hải Phòng', 'province', NULL, NULL),
	('QN', 'Liên đoàn Lao động tỉnh Quảng Ninh', 'LĐLĐ Quảng Ninh', 'province', NULL, NULL),
	('HT', 'Liên đoàn Lao động tỉnh Hà Tĩnh', 'LĐLĐ Hà Tĩnh', 'province', NULL, NULL),
	('DN', 'Liên đoàn Lao động thành phố Đà Nẵng', 'LĐLĐ Đà Nẵng', 'province', NULL, NULL),
	('HN-HBT', 'Liên đoàn Lao động quận Hai Bà Trưng', 'LĐLĐ quận Hai Bà Trưng', 'district', NULL, '2025-06-30'),
	('HN-HM', 'Liên đoàn Lao động quận Hoàng Mai', 'LĐLĐ quận Hoàng Mai', 'district', NULL, '2025-06-30'),
	('HN-BD', 'Liên đoàn Lao động quận Ba Đình', 'LĐLĐ quận Ba Đình', 'district', NULL, '2025-06-30'),
	('HN-LB', 'Liên đoàn Lao động quận Long Biên', 'LĐLĐ quận Long Biên', 'district', NULL, '2025-06-30'),
	('HN-HK', 'Liên đoàn Lao động quận Hoàn Kiếm', 'LĐLĐ quận Hoàn Kiếm', 'district', NULL, '2025-06-30'),
	('HN-DD', 'Liên đoàn Lao động quận Đống Đa', 'LĐLĐ quận Đống Đa', 'district', NULL, '2025-06-30'),
	('DN-TK', 'Liên đoàn Lao động quận Thanh Khê', 'LĐLĐ quận Thanh Khê', 'district', NULL, '2025-06-30'),
	('HT-NG-VC', 'Công đoàn ngành Viên chức tỉnh Hà Tĩnh', 'Công đoàn Viên chức Hà Tĩnh', 'sector', NULL, NULL)
ON CONFLICT (code) DO UPDATE
	SET name = EXCLUDED.name, short_name = EXCLUDED.short_name, kind = EXCLUDED.kind,
	    valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to
	WHERE (organization.name, organization.short_name, organization.kind, organization.valid_from, organization.valid_to)
	      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.kind, EXCLUDED.valid_from, EXCLUDED.valid_to);

-- Parents: the provinces under the confederation, the districts under their
-- city until their dissolution on 2025-07-01, the sector union under Hà Tĩnh.
INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
SELECT c.id, p.id, NULL, c.valid_to
FROM (VALUES ('HN', 'VN'), ('HP', 'VN'), ('QN', 'VN'), ('HT', 'VN'), ('DN', 'VN'),
             ('HN-HBT', 'HN'), ('HN-HM', 'HN'), ('HN-BD', 'HN'), ('HN-LB', 'HN'), ('HN-HK', 'HN'), ('HN-DD', 'HN'),
             ('DN-TK', 'DN'), ('HT-NG-VC', 'HT')) AS l(child, parent)
JOIN organization c ON c.code = l.child
JOIN organization p ON p.code = l.parent
WHERE NOT EXISTS (SELECT 1 FROM organization_parent x WHERE x.org_id = c.id);

-- ---------------------------------------------------------------- indicators

INSERT INTO indicator (code, name, name_en, unit, kind, rollup, higher_is_better) VALUES
	('grassroots_unions', 'Số công đoàn cơ sở', 'Grassroots unions', 'đơn vị', 'stock', 'sum', true),
	('workers', 'Số công nhân viên chức lao động', 'Workers, civil servants and employees', 'người', 'stock', 'sum', true),
	('members', 'Số đoàn viên công đoàn', 'Union members', 'người', 'stock', 'sum', true),
	('workers_industrial_zones', 'CNVCLĐ làm việc trong các cụm, khu công nghiệp', 'Workers in industrial zones and clusters', 'người', 'stock', 'sum', true),
	('care_beneficiaries', 'Lượt CNLĐ được thụ hưởng hoạt động chăm lo', 'Workers reached by care activities', 'lượt', 'flow', 'sum', true),
	('care_amount', 'Số tiền thụ hưởng hoạt động chăm lo', 'Amount of care benefits', 'triệu đồng', 'flow', 'sum', true),
	('shelter_fund_raised', 'Quỹ Mái ấm Công đoàn vận động được', 'Union Shelter Fund raised', 'triệu đồng', 'flow', 'sum', true),
	('shelter_houses', 'Nhà Mái ấm Công đoàn xây mới và sửa chữa', 'Union Shelter houses built or repaired', 'nhà', 'flow', 'sum', true),
	('loan_amount', 'Quỹ Trợ vốn CNVCLĐ nghèo: số tiền giải ngân', 'Loans disbursed by the fund for poor workers', 'triệu đồng', 'flow', 'sum', true),
	('loan_recipients', 'Đoàn viên được vay vốn', 'Members granted loans', 'người', 'flow', 'sum', true),
	('officials_conferences', 'Cơ quan, đơn vị tổ chức Hội nghị cán bộ công chức, viên chức', 'Agencies holding officials'' conferences', 'đơn vị', 'flow', 'sum', true),
	('worker_conferences', 'Doanh nghiệp tổ chức Hội nghị người lao động', 'Enterprises holding workers'' conferences', 'đơn vị', 'flow', 'sum', true),
	('workplace_dialogues', 'Đối thoại định kỳ tại nơi làm việc', 'Periodic workplace dialogues', 'cuộc', 'flow', 'sum', true),
	('collective_agreements', 'Thỏa ước lao động tập thể ký kết', 'Collective labour agreements signed', 'bản', 'flow', 'sum', true),
	('new_grassroots_unions', 'Công đoàn cơ sở thành lập mới', 'New grassroots unions', 'đơn vị', 'flow', 'sum', true),
	('new_members', 'Đoàn viên phát triển mới', 'New union members', 'người', 'flow', 'sum', true),
	('initiatives', 'Sáng kiến đăng ký Chương trình 1 triệu sáng kiến', 'Initiatives registered in the one-million-initiatives programme', 'sáng kiến', 'flow', 'sum', true),
	('initiatives_applied', 'Sáng kiến được áp dụng', 'Initiatives applied', 'sáng kiến', 'flow', 'sum', true),
	('initiatives_benefit', 'Giá trị làm lợi từ sáng kiến', 'Benefit from initiatives', 'triệu đồng', 'flow', 'sum', true),
	('creative_labour_awards', 'Sáng kiến được tặng Bằng Lao động sáng tạo', 'Initiatives awarded the Creative Labour certificate', 'sáng kiến', 'flow', 'sum', true),
	('tet_gifts', 'Suất quà Tết trao cho đoàn viên, CNLĐ khó khăn', 'Tết gifts to members in hardship', 'suất', 'flow', 'sum', true),
	('tet_gifts_amount', 'Kinh phí quà Tết', 'Amount of Tết gifts', 'triệu đồng', 'flow', 'sum', true),
	('tet_vouchers', 'Phiếu mua hàng Chợ Tết Công đoàn', 'Union Tết market vouchers', 'phiếu', 'flow', 'sum', true),
	('tet_vouchers_amount', 'Giá trị phiếu mua hàng Chợ Tết Công đoàn', 'Value of Tết market vouchers', 'triệu đồng', 'flow', 'sum', true),
	('hardship_cases', 'Trường hợp khó khăn được thăm hỏi, hỗ trợ', 'Hardship cases supported', 'trường hợp', 'flow', 'sum', true),
	('hardship_amount', 'Kinh phí hỗ trợ trường hợp khó khăn', 'Amount of hardship support', 'triệu đồng', 'flow', 'sum', true),
	('congress_direction_done', 'Đơn vị hoàn thành chỉ đạo Đại hội công đoàn cơ sở', 'Units that finished directing grassroots congresses', 'đơn vị', 'flow', 'sum', true),
	('congress_direction_early', 'Đơn vị hoàn thành chỉ đạo Đại hội sớm so với kế hoạch', 'Units that finished directing congresses ahead of plan', 'đơn vị', 'flow', 'sum', true),
	('award_vn_flags', 'Cờ thi đua của Tổng LĐLĐ Việt Nam (tập thể)', 'Emulation flags from the Confederation (collectives)', 'tập thể', 'flow', 'sum', true),
	('award_vn_merit_collectives', 'Bằng khen của Tổng LĐLĐ Việt Nam (tập thể)', 'Certificates of merit from the Confederation (collectives)', 'tập thể', 'flow', 'sum', true),
	('award_vn_merit_individuals', 'Bằng khen của Tổng LĐLĐ Việt Nam (cá nhân)', 'Certificates of merit from the Confederation (individuals)', 'cá nhân', 'flow', 'sum', true),
	('award_bloc_leader_flags', 'Cờ thi đua cho đơn vị dẫn đầu khối thi đua', 'Emulation flags to units leading their blocs', 'đơn vị', 'flow', 'sum', true),
	('award_excellent_flags', 'Cờ thi đua xuất sắc (tập thể)', 'Flags for excellence (collectives)', 'tập thể', 'flow', 'sum', true),
	('award_merit_collectives', 'Bằng khen (tập thể)', 'Certificates of merit (collectives)', 'tập thể', 'flow', 'sum', true),
	('award_merit_individuals', 'Bằng khen (cá nhân)', 'Certificates of merit (individuals)', 'cá nhân', 'flow', 'sum', true)
ON CONFLICT (code) DO UPDATE
	SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, unit = EXCLUDED.unit, kind = EXCLUDED.kind,
	    rollup = EXCLUDED.rollup, higher_is_better = EXCLUDED.higher_is_better
	WHERE (indicator.name, indicator.name_en, indicator.unit, indicator.kind, indicator.rollup, indicator.higher_is_better)
	      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.name_en, EXCLUDED.unit, EXCLUDED.kind, EXCLUDED.rollup, EXCLUDED.higher_is_better);

-- ---------------------------------------------------------------- blocs

INSERT INTO bloc (code, name, kind, organizer_id, note)
SELECT b.code, b.name, b.kind::bloc_kind, o.id, b.note
FROM (VALUES
	('HN-CUM1', 'Cụm thi đua số 1 LĐLĐ thành phố Hà Nội', 'cum', 'HN', NULL),
	('HT-KHOI-NGANH', 'Khối thi đua các Công đoàn ngành tỉnh Hà Tĩnh', 'khoi', 'HT',
	 'Các thành viên không được nêu tên trong bài; khối báo cáo số liệu tổng hợp của khối.'),
	('HN-HP-QN', 'LĐLĐ Hà Nội, Hải Phòng và Quảng Ninh (phối hợp 3 tỉnh, thành phố)', 'cum', NULL,
	 'Ba LĐLĐ phối hợp, giao ban định kỳ; không có đơn vị tổ chức cấp trên.')
) AS b(code, name, kind, organizer, note)
LEFT JOIN organization o ON o.code = b.organizer
ON CONFLICT (code) DO UPDATE
	SET name = EXCLUDED.name, kind = EXCLUDED.kind, organizer_id = EXCLUDED.organizer_id, note = EXCLUDED.note
	WHERE (bloc.name, bloc.kind, bloc.organizer_id, bloc.note)
	      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.organizer_id, EXCLUDED.note);

-- Years. Leaders go in after the members (the check runs at commit).
INSERT INTO bloc_year (bloc_id, year, leader_person, agreement_signed_on, agreement_content_count, agreement_note, note)
SELECT b.id, y.year, y.leader_person, y.signed_on::date, y.content_count, y.agreement_note, y.note
FROM (VALUES
	('HN-CUM1', 2023, 'Phan Thị Thu Hằng', NULL, NULL,
	 'Cụm Thi đua số 1 LĐLĐ Thành phố ký giao ước thi đua năm 2023 (ngày ký không nêu trong bài).',
	 'Cụm trưởng năm 2023: đồng chí Phan Thị Thu Hằng; bài không nêu đơn vị của cụm trưởng.'),
	('HT-KHOI-NGANH', 2023, NULL, '2022-12-20', 4,
	 'Ký kết giao ước thi đua năm 2023 với 4 nội dung của Liên đoàn Lao động tỉnh giao; bài không liệt kê các nội dung.',
	 'Năm 2023 Công đoàn ngành Viên chức làm Trưởng khối thi đua.'),
	('HT-KHOI-NGANH', 2022, NULL, NULL, NULL, NULL,
	 'Tổng kết phong trào thi đua năm 2022 ngày 20/12/2022; bài không nêu tên các thành viên, chỉ số liệu tổng của khối.'),
	('HN-HP-QN', 2022, NULL, NULL, NULL, NULL,
	 'Hội nghị giao ban 6 tháng đầu năm 2022 tổ chức tại Hải Phòng.')
) AS y(bloc, year, leader_person, signed_on, content_count, agreement_note, note)
JOIN bloc b ON b.code = y.bloc
ON CONFLICT (bloc_id, year) DO NOTHING;

INSERT INTO bloc_member (bloc_id, year, org_id)
SELECT b.id, m.year, o.id
FROM (VALUES
	('HN-CUM1', 2023, 'HN-HBT'), ('HN-CUM1', 2023, 'HN-HM'), ('HN-CUM1', 2023, 'HN-BD'),
	('HN-CUM1', 2023, 'HN-LB'), ('HN-CUM1', 2023, 'HN-HK'), ('HN-CUM1', 2023, 'HN-DD'),
	('HT-KHOI-NGANH', 2023, 'HT-NG-VC'),
	('HN-HP-QN', 2022, 'HN'), ('HN-HP-QN', 2022, 'HP'), ('HN-HP-QN', 2022, 'QN')
) AS m(bloc, year, org)
JOIN bloc b ON b.code = m.bloc
JOIN organization o ON o.code = m.org
ON CONFLICT DO NOTHING;

UPDATE bloc_year y SET leader_id = o.id
FROM bloc b, organization o
WHERE b.id = y.bloc_id AND b.code = 'HT-KHOI-NGANH' AND y.year = 2023 AND o.code = 'HT-NG-VC'
  AND y.leader_id IS DISTINCT FROM o.id;

-- ---------------------------------------------------------------- figures

SELECT value_put(v.org, v.bloc, v.indicator, v.period, v.actual, v.target, v.note)
FROM (VALUES
	-- 000: Hải Phòng, 9 tháng đầu năm 2022 (tính đến tháng 9/2022)
	('HP', NULL, 'grassroots_unions', '2022YTD09', 2890::numeric, NULL::numeric, NULL::text),
	('HP', NULL, 'workers', '2022YTD09', 326988, NULL, NULL),
	('HP', NULL, 'members', '2022YTD09', 308621, NULL, NULL),
	('HP', NULL, 'workers_industrial_zones', '2022YTD09', 170000, NULL, '≈ "trên 170.000" công nhân viên chức lao động làm việc trong các cụm, khu công nghiệp'),
	('HP', NULL, 'care_beneficiaries', '2022YTD09', 269350, NULL, NULL),
	('HP', NULL, 'care_amount', '2022YTD09', 192000, NULL, '≈ "hơn 192 tỷ đồng"'),
	('HP', NULL, 'shelter_fund_raised', '2022YTD09', 4400, NULL, '4,4 tỷ đồng; "đạt 73% kế hoạch năm, tăng 18% so với cùng kỳ 2021"'),
	('HP', NULL, 'shelter_houses', '2022YTD09', 31, NULL, 'hỗ trợ xây mới và sửa chữa'),
	('HP', NULL, 'loan_amount', '2022YTD09', 22000, NULL, 'Quỹ Trợ vốn CNVCLĐ nghèo giải ngân 22 tỷ đồng'),
	('HP', NULL, 'loan_recipients', '2022YTD09', 1154, NULL, NULL),
	('HP', NULL, 'officials_conferences', '2022YTD09', 1303, 1303, NULL),
	('HP', NULL, 'worker_conferences', '2022YTD09', 704, 834, NULL),
	('HP', NULL, 'collective_agreements', '2022YTD09', 224, NULL, NULL),
	('HP', NULL, 'new_grassroots_unions', '2022YTD09', 133, NULL, NULL),
	('HP', NULL, 'new_members', '2022YTD09', 15536, NULL, NULL),
	('HP', NULL, 'initiatives', '2022YTD09', 20927, 20927, '"đạt 100% chỉ tiêu Tổng LĐLĐ Việt Nam giao", đứng thứ 9 toàn quốc'),
	('HP', NULL, 'shelter_fund_raised', '2022', NULL, 6000, 'reconstructed: not in the article; the smallest round plan giving its "73% kế hoạch năm" (4400/6000 = 73.33%)'),
	('HP', NULL, 'shelter_fund_raised', '2021YTD09', 3730, NULL, 'reconstructed: not in the article; the smallest round figure giving its "tăng 18% so với cùng kỳ 2021" (4400/3730 = +17.96%)'),
	-- 000: awards for 2021 named in the Hải Phòng article
	('HP', NULL, 'award_vn_flags', '2021', 14, NULL, 'Tổng LĐLĐ Việt Nam tặng Cờ thi đua cho 14 tập thể'),
	('HP', NULL, 'award_vn_merit_collectives', '2021', 27, NULL, 'Tổng LĐLĐ Việt Nam tặng Bằng khen cho 27 tập thể'),
	('HP', NULL, 'award_vn_merit_individuals', '2021', 55, NULL, 'Tổng LĐLĐ Việt Nam tặng Bằng khen cho 55 cá nhân'),
	('HP', NULL, 'award_bloc_leader_flags', '2021', 4, NULL, 'LĐLĐ thành phố tặng Cờ thi đua cho 4 đơn vị dẫn đầu khối thi đua'),
	('HP', NULL, 'award_excellent_flags', '2021', 58, NULL, 'LĐLĐ thành phố tặng Cờ thi đua xuất sắc 58 tập thể'),
	('HP', NULL, 'award_merit_collectives', '2021', 222, NULL, 'LĐLĐ thành phố tặng Bằng khen 222 tập thể'),
	('HP', NULL, 'award_merit_individuals', '2021', 305, NULL, 'LĐLĐ thành phố tặng Bằng khen 305 cá nhân'),
	-- 001: Cụm thi đua số 1 Hà Nội, 6 tháng đầu năm 2023
	('HN-LB', NULL, 'new_grassroots_unions', '2023H1', 16, NULL, NULL),
	('HN-HBT', NULL, 'new_grassroots_unions', '2023H1', 19, NULL, NULL),
	('HN-BD', NULL, 'new_grassroots_unions', '2023H1', 15, NULL, NULL),
	('HN-LB', NULL, 'collective_agreements', '2023H1', 11, NULL, NULL),
	('HN-DD', NULL, 'collective_agreements', '2023H1', 21, NULL, NULL),
	('HN-HK', NULL, 'collective_agreements', '2023H1', 16, NULL, NULL),
	(NULL, 'HN-CUM1', 'congress_direction_done', '2023YTD05', 6, 6, 'đến ngày 31/5/2023, 6/6 quận đã hoàn thành công tác chỉ đạo Đại hội Công đoàn cơ sở'),
	(NULL, 'HN-CUM1', 'congress_direction_early', '2023YTD05', 4, NULL, 'hoàn thành sớm so với kế hoạch: Hoàng Mai, Long Biên, Hoàn Kiếm, Đống Đa'),
	-- 002: Khối thi đua các Công đoàn ngành Hà Tĩnh, năm 2022 (số liệu tổng của khối)
	(NULL, 'HT-KHOI-NGANH', 'new_members', '2022', 2202, 1200, 'bài viết: "đạt 184%"'),
	(NULL, 'HT-KHOI-NGANH', 'new_grassroots_unions', '2022', 12, 9, 'bài viết: "đạt 133% KH LĐLĐ tỉnh giao"'),
	(NULL, 'HT-KHOI-NGANH', 'shelter_fund_raised', '2022', 2529.554, 2516.100, 'bài viết: 2.529,554/2.516,100 triệu đồng, "đạt 100,5% chỉ tiêu LĐLĐ tỉnh giao"'),
	(NULL, 'HT-KHOI-NGANH', 'officials_conferences', '2022', 134, 134, 'bài viết: "đạt tỷ lệ 100%"'),
	(NULL, 'HT-KHOI-NGANH', 'worker_conferences', '2022', 138, 140, 'bài viết: "đạt tỷ lệ 99%"'),
	(NULL, 'HT-KHOI-NGANH', 'workplace_dialogues', '2022', 141, 141, 'bài viết: "đạt tỷ lệ 100%", tiếp theo là "có 4.008/3.583" mà bài không nói là chỉ tiêu gì'),
	(NULL, 'HT-KHOI-NGANH', 'initiatives_applied', '2022', 35, NULL, 'làm lợi 4,5 tỷ đồng; 8 sáng kiến được tặng Bằng Lao động sáng tạo; đạt 112% sáng kiến tham gia dự thi giai đoạn 1'),
	(NULL, 'HT-KHOI-NGANH', 'initiatives_benefit', '2022', 4500, NULL, '4,5 tỷ đồng làm lợi cho doanh nghiệp'),
	(NULL, 'HT-KHOI-NGANH', 'creative_labour_awards', '2022', 8, NULL, 'được Tổng LĐLĐ Việt Nam tặng Bằng Lao động sáng tạo'),
	-- 003: Hà Nội, Hải Phòng, Quảng Ninh, 6 tháng đầu năm 2022 (sáng kiến đăng ký đến ngày 24/6/2022)
	('HN', NULL, 'initiatives', '2022H1', 51500, NULL, '≈ "hơn 51.500" sáng kiến đăng ký thành công tính đến ngày 24/6/2022'),
	('HP', NULL, 'initiatives', '2022H1', 18500, NULL, '≈ "gần 18.500" sáng kiến đăng ký thành công tính đến ngày 24/6/2022'),
	('QN', NULL, 'initiatives', '2022H1', 5852, NULL, 'sáng kiến đăng ký thành công tính đến ngày 24/6/2022'),
	-- 004: LĐLĐ quận Thanh Khê, năm 2023
	('DN-TK', NULL, 'tet_gifts', '2023', 950, NULL, 'Tết Nguyên đán Quý Mão 2023'),
	('DN-TK', NULL, 'tet_gifts_amount', '2023', 500, NULL, NULL),
	('DN-TK', NULL, 'tet_vouchers', '2023', 4000, NULL, 'Chợ Tết Công đoàn do LĐLĐ thành phố tổ chức'),
	('DN-TK', NULL, 'tet_vouchers_amount', '2023', 375, NULL, NULL),
	('DN-TK', NULL, 'hardship_cases', '2023', 55, NULL, NULL),
	('DN-TK', NULL, 'hardship_amount', '2023', 40, NULL, '≈ "hơn 40 triệu"'),
	('DN-TK', NULL, 'collective_agreements', '2023', 14, 8, '"vượt 75% chỉ tiêu"'),
	('DN-TK', NULL, 'new_grassroots_unions', '2023', 24, NULL, NULL),
	('DN-TK', NULL, 'new_members', '2023', 1199, NULL, NULL)
) AS v(org, bloc, indicator, period, actual, target, note);
