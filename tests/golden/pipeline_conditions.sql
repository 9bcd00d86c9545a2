SELECT f.Image_ms_msall_neg_mv_wc_null_after_ms_strict_expr_or_fstate, m_item, m_field, m_level, m_applied, m_state, m_score, m_rule, m_not_corr, m_custom, m_date, m_tags_in, m_tag, m_or FROM <TABLE> WHERE LOWER(f.Image_ms_neg_after_ms_strict_or_fstate) = 'c:\evil.exe' AND (LOWER(CommandLine_ms_msall_neg_wc_after_ms_strict_expr_or_fstate) LIKE '%evil%' ESCAPE '\' OR LOWER(CommandLine_ms_msall_neg_wc_after_ms_strict_expr_or_fstate) LIKE '%x%' ESCAPE '\') AND EventID_neg_mv_strict_fstate = 4688 AND ParentImage_neg_null_strict_fstate IS NULL AND Score_neg_strict_or_fstate = 1

SELECT m_score, m_rule, m_not_corr, m_expr FROM <TABLE> WHERE LOWER(TargetFilename_or_fstate) = 'x' AND LOWER(EventID_neg_or_fstate) = '4688'

SELECT m_score, m_rule, m_not_corr, m_or FROM <TABLE> WHERE LOWER(f.Image_msall_neg_wc_expr_or_fstate) LIKE '%/sh' ESCAPE '\'
