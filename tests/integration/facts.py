"""The figures of ../shared/seeds/FACTS.md, written out by hand: the demo
data and the ground truth the tests compare the API against. Numbers are
strings as the articles give them ("2516.100"), compared exactly as
decimals, never as floats (the API prints the same number as 2516.1)."""

# (org, indicator, period, actual, target)
HAI_PHONG_2022YTD09 = [
    ("HP", "grassroots_unions", "2022YTD09", "2890", None),
    ("HP", "workers", "2022YTD09", "326988", None),
    ("HP", "members", "2022YTD09", "308621", None),
    ("HP", "workers_industrial_zones", "2022YTD09", "170000", None),
    ("HP", "care_beneficiaries", "2022YTD09", "269350", None),
    ("HP", "care_amount", "2022YTD09", "192000", None),
    ("HP", "shelter_fund_raised", "2022YTD09", "4400", None),
    ("HP", "shelter_houses", "2022YTD09", "31", None),
    ("HP", "loan_amount", "2022YTD09", "22000", None),
    ("HP", "loan_recipients", "2022YTD09", "1154", None),
    ("HP", "officials_conferences", "2022YTD09", "1303", "1303"),
    ("HP", "worker_conferences", "2022YTD09", "704", "834"),
    ("HP", "collective_agreements", "2022YTD09", "224", None),
    ("HP", "new_grassroots_unions", "2022YTD09", "133", None),
    ("HP", "new_members", "2022YTD09", "15536", None),
    ("HP", "initiatives", "2022YTD09", "20927", "20927"),
]

HAI_PHONG_RECONSTRUCTED = [
    ("HP", "shelter_fund_raised", "2022", None, "6000"),
    ("HP", "shelter_fund_raised", "2021YTD09", "3730", None),
]

HAI_PHONG_AWARDS_2021 = [
    ("HP", "award_vn_flags", "2021", "14", None),
    ("HP", "award_vn_merit_collectives", "2021", "27", None),
    ("HP", "award_vn_merit_individuals", "2021", "55", None),
    ("HP", "award_bloc_leader_flags", "2021", "4", None),
    ("HP", "award_excellent_flags", "2021", "58", None),
    ("HP", "award_merit_collectives", "2021", "222", None),
    ("HP", "award_merit_individuals", "2021", "305", None),
]

HA_NOI_CUM1_2023H1 = [
    ("HN-LB", "new_grassroots_unions", "2023H1", "16", None),
    ("HN-HBT", "new_grassroots_unions", "2023H1", "19", None),
    ("HN-BD", "new_grassroots_unions", "2023H1", "15", None),
    ("HN-LB", "collective_agreements", "2023H1", "11", None),
    ("HN-DD", "collective_agreements", "2023H1", "21", None),
    ("HN-HK", "collective_agreements", "2023H1", "16", None),
]

# (bloc, indicator, period, actual, target)
HA_TINH_BLOC_2022 = [
    ("HT-KHOI-NGANH", "new_members", "2022", "2202", "1200"),
    ("HT-KHOI-NGANH", "new_grassroots_unions", "2022", "12", "9"),
    ("HT-KHOI-NGANH", "shelter_fund_raised", "2022", "2529.554", "2516.100"),
    ("HT-KHOI-NGANH", "officials_conferences", "2022", "134", "134"),
    ("HT-KHOI-NGANH", "worker_conferences", "2022", "138", "140"),
    ("HT-KHOI-NGANH", "workplace_dialogues", "2022", "141", "141"),
    ("HT-KHOI-NGANH", "initiatives_applied", "2022", "35", None),
    ("HT-KHOI-NGANH", "initiatives_benefit", "2022", "4500", None),
    ("HT-KHOI-NGANH", "creative_labour_awards", "2022", "8", None),
]

HA_NOI_CUM1_BLOC_2023 = [
    ("HN-CUM1", "congress_direction_done", "2023YTD05", "6", "6"),
    ("HN-CUM1", "congress_direction_early", "2023YTD05", "4", None),
]

THREE_CITIES_2022H1 = [
    ("HN", "initiatives", "2022H1", "51500", None),
    ("HP", "initiatives", "2022H1", "18500", None),
    ("QN", "initiatives", "2022H1", "5852", None),
]

THANH_KHE_2023 = [
    ("DN-TK", "tet_gifts", "2023", "950", None),
    ("DN-TK", "tet_gifts_amount", "2023", "500", None),
    ("DN-TK", "tet_vouchers", "2023", "4000", None),
    ("DN-TK", "tet_vouchers_amount", "2023", "375", None),
    ("DN-TK", "hardship_cases", "2023", "55", None),
    ("DN-TK", "hardship_amount", "2023", "40", None),
    ("DN-TK", "collective_agreements", "2023", "14", "8"),
    ("DN-TK", "new_grassroots_unions", "2023", "24", None),
    ("DN-TK", "new_members", "2023", "1199", None),
]

ORG_FIGURES = (HAI_PHONG_2022YTD09 + HAI_PHONG_RECONSTRUCTED + HAI_PHONG_AWARDS_2021 + HA_NOI_CUM1_2023H1
               + THREE_CITIES_2022H1 + THANH_KHE_2023)
BLOC_FIGURES = HA_TINH_BLOC_2022 + HA_NOI_CUM1_BLOC_2023

# "≈" figures: the article's own wording must survive in the note
APPROXIMATE = {
    ("HP", "care_amount", "2022YTD09"): "hơn 192 tỷ đồng",
    ("HP", "workers_industrial_zones", "2022YTD09"): "trên 170.000",
    ("HN", "initiatives", "2022H1"): "hơn 51.500",
    ("HP", "initiatives", "2022H1"): "gần 18.500",
    ("DN-TK", "hardship_amount", "2023"): "hơn 40 triệu",
}

ORGANIZATIONS = {
    "VN": ("Tổng Liên đoàn Lao động Việt Nam", "confederation", None, None),
    "HN": ("Liên đoàn Lao động thành phố Hà Nội", "province", "VN", None),
    "HP": ("Liên đoàn Lao động thành phố Hải Phòng", "province", "VN", None),
    "QN": ("Liên đoàn Lao động tỉnh Quảng Ninh", "province", "VN", None),
    "HT": ("Liên đoàn Lao động tỉnh Hà Tĩnh", "province", "VN", None),
    "DN": ("Liên đoàn Lao động thành phố Đà Nẵng", "province", "VN", None),
    "HN-HBT": ("Liên đoàn Lao động quận Hai Bà Trưng", "district", "HN", "2025-06-30"),
    "HN-HM": ("Liên đoàn Lao động quận Hoàng Mai", "district", "HN", "2025-06-30"),
    "HN-BD": ("Liên đoàn Lao động quận Ba Đình", "district", "HN", "2025-06-30"),
    "HN-LB": ("Liên đoàn Lao động quận Long Biên", "district", "HN", "2025-06-30"),
    "HN-HK": ("Liên đoàn Lao động quận Hoàn Kiếm", "district", "HN", "2025-06-30"),
    "HN-DD": ("Liên đoàn Lao động quận Đống Đa", "district", "HN", "2025-06-30"),
    "DN-TK": ("Liên đoàn Lao động quận Thanh Khê", "district", "DN", "2025-06-30"),
    "HT-NG-VC": ("Công đoàn ngành Viên chức tỉnh Hà Tĩnh", "sector", "HT", None),
}
